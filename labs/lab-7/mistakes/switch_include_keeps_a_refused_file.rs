// Mistake: reports the failed nginx -t but leaves the refused file in
// place: the next reload or restart of nginx fails on it.

pub use switcher::slots::idle_slot;
pub use switcher::health::wait_healthy;
pub use switcher::stop::stop;
use std::io::Write;
use std::path::Path;

pub fn switch_include(
    path: &Path,
    contents: &str,
    test: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let temporary = path.with_extension("new");
    let mut file = std::fs::File::create(&temporary).map_err(|e| e.to_string())?;
    file.write_all(contents.as_bytes()).map_err(|e| e.to_string())?;
    file.sync_all().map_err(|e| e.to_string())?;
    std::fs::rename(&temporary, path).map_err(|e| e.to_string())?;
    test()
}
