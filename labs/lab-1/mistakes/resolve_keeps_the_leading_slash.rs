// Mistake: returns the decoded path as it is, leading "/" and all. An
// absolute path replaces the web root when joined to it
// (root.join("/static/x") is "/static/x"), so the engine refuses it.

use std::path::PathBuf;

use crate::Refused;

pub use miniproxy::routing::classify;

pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| Refused::NotUtf8)?;
    for segment in decoded.split('/') {
        match segment {
            ".." => return Err(Refused::ParentDir),
            _ if segment.contains('\\') => return Err(Refused::Backslash),
            _ if segment.contains('\0') => return Err(Refused::NulByte),
            _ => {}
        }
    }
    Ok(PathBuf::from(decoded.as_ref()))
}
