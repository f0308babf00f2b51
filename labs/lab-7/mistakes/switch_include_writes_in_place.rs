// Mistake: rewrites the file in place (truncate, then write): a reader,
// nginx or a crash, can meet an empty or half-written file.

pub use switcher::slots::idle_slot;
pub use switcher::health::wait_healthy;
pub use switcher::stop::stop;
use std::path::Path;

pub fn switch_include(
    path: &Path,
    contents: &str,
    test: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let previous = std::fs::read(path).ok();
    std::fs::write(path, contents).map_err(|e| e.to_string())?;
    if let Err(why) = test() {
        match previous {
            Some(old) => std::fs::write(path, old).map_err(|e| e.to_string())?,
            None => std::fs::remove_file(path).map_err(|e| e.to_string())?,
        }
        return Err(why);
    }
    Ok(())
}
