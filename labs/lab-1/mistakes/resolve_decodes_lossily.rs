// Mistake: decodes with decode_utf8_lossy, which turns bytes that are not
// UTF-8 into U+FFFD instead of refusing them.

use std::path::PathBuf;

use crate::Refused;

pub use miniproxy::routing::classify;

pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_encoding::percent_decode_str(url_path).decode_utf8_lossy();
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => continue,
            ".." => return Err(Refused::ParentDir),
            _ if segment.contains('\\') => return Err(Refused::Backslash),
            _ if segment.contains('\0') => return Err(Refused::NulByte),
            _ => relative.push(segment),
        }
    }
    Ok(relative)
}
