// Mistake: refuses every path that *contains* "..", instead of looking for
// a ".." segment. Safe, but it refuses the harmless /docs/v1..2.txt.
// Like every file here, it stands in for src/exercise.rs under
// `--features mistake` (see src/lib.rs and lab.toml).

use std::path::PathBuf;

use crate::Refused;

pub use miniproxy::routing::classify;

pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_encoding::percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| Refused::NotUtf8)?;
    if decoded.contains("..") {
        return Err(Refused::ParentDir);
    }
    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => continue,
            _ if segment.contains('\\') => return Err(Refused::Backslash),
            _ if segment.contains('\0') => return Err(Refused::NulByte),
            _ => relative.push(segment),
        }
    }
    Ok(relative)
}
