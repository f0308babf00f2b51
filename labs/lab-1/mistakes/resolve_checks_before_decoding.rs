// Mistake: looks for ".." in the raw text, then decodes each segment.
// "%2e%2e" is not ".." until it is decoded, so it slips through.

use std::path::PathBuf;

use crate::Refused;

pub use miniproxy::routing::classify;

pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let mut relative = PathBuf::new();
    for raw in url_path.split('/') {
        if raw == ".." {
            return Err(Refused::ParentDir);
        }
        let segment = percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .map_err(|_| Refused::NotUtf8)?;
        match segment.as_ref() {
            "" | "." => continue,
            s if s.contains('\\') => return Err(Refused::Backslash),
            s if s.contains('\0') => return Err(Refused::NulByte),
            s => relative.push(s),
        }
    }
    Ok(relative)
}
