// Mistake: treats "\" as a second separator instead of refusing it. Then
// "..\..\secret.txt" is refused as a parent directory (right status, wrong
// reason) and "a\b.css" quietly becomes a/b.css.

use std::path::PathBuf;

use crate::Refused;

pub use miniproxy::routing::classify;

pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| Refused::NotUtf8)?;
    let mut relative = PathBuf::new();
    for segment in decoded.split(['/', '\\']) {
        match segment {
            "" | "." => continue,
            ".." => return Err(Refused::ParentDir),
            _ if segment.contains('\0') => return Err(Refused::NulByte),
            _ => relative.push(segment),
        }
    }
    Ok(relative)
}
