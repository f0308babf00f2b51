// Mistake: no NUL check. "style.css%00.png" reaches the file system, which
// refuses it with an I/O error instead of resolve refusing it up front.

use std::path::PathBuf;

use crate::Refused;

pub use miniproxy::routing::classify;

pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| Refused::NotUtf8)?;
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => continue,
            ".." => return Err(Refused::ParentDir),
            _ if segment.contains('\\') => return Err(Refused::Backslash),
            _ => relative.push(segment),
        }
    }
    Ok(relative)
}
