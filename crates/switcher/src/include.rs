//! Switching nginx: the included file that names the live port.
//!
//! nginx reads `service-url.inc` (`set $service_url http://127.0.0.1:8082;`)
//! when it starts or reloads. Changing it safely takes three things: the
//! new file appears whole or not at all (written beside it, then renamed
//! over it: a rename within one folder is atomic, so nginx, or a crash,
//! never sees half a file); `nginx -t` approves it before any reload; and
//! when it does not, the old file is put back, so the next reload, or the
//! next restart, still serves the old version.

use std::io::Write;
use std::path::Path;

// ANCHOR: switch_include
/// Replaces `path` with `contents` atomically, then runs `test`; if the
/// test fails, puts the previous file back and returns the test's reason.
pub fn switch_include(
    path: &Path,
    contents: &str,
    test: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), String> {
    let previous = std::fs::read(path).ok();
    replace(path, contents.as_bytes())?;
    if let Err(why) = test() {
        match previous {
            Some(old) => replace(path, &old)?,
            None => std::fs::remove_file(path).map_err(|e| e.to_string())?,
        }
        return Err(why);
    }
    Ok(())
}

/// Writes a temporary file in the same folder, flushes it to disk, and
/// renames it over `path`.
fn replace(path: &Path, contents: &[u8]) -> Result<(), String> {
    let name = path.file_name().ok_or("the include path names no file")?;
    let temporary = path.with_file_name(format!(".{}.new", name.to_string_lossy()));
    let write = || -> std::io::Result<()> {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&temporary);
        format!("cannot write {}: {e}", path.display())
    })
}
// ANCHOR_END: switch_include
