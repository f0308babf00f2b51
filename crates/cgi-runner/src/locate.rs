//! Which script does a URL name, and what is left over for PATH_INFO?
//!
//! `/cgi-bin/report.py/2024/may` under `ScriptAlias /cgi-bin/ /srv/cgi/`
//! runs `/srv/cgi/report.py` with `PATH_INFO=/2024/may`. The server walks
//! the path one segment at a time from the root: directories are entered,
//! and the first *file* it meets is the script; whatever follows is extra
//! path for the script to interpret.
//!
//! As in `miniproxy::files`, two guards are kept apart on purpose:
//!
//! 1. A string check on the decoded segments, before the disk is touched:
//!    `..` (however it is spelled), a backslash or a NUL byte is refused.
//! 2. A file-system check once the script is found: every symlink followed,
//!    the real path must still lie inside the root. No string check can see
//!    that `tools` is a symlink to `/usr/bin`; the file system can.
//!
//! Then the last gate, the one that makes CGI different from a file server:
//! only a regular file with an execute bit runs. A stray `notes.txt` in
//! the directory is refused (403), never executed and never served.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use percent_encoding::percent_decode_str;

/// A script found on disk for a URL path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Located {
    /// The script's real, absolute path.
    pub filename: PathBuf,
    /// The URL path of the script (decoded), relative to where the CGI
    /// directory is mounted: `/report.py`.
    pub script_path: String,
    /// The rest of the path (decoded): `/2024/may`, or empty.
    pub path_info: String,
}

/// Why no script runs. Each maps to a status in `handler.rs`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotRun {
    #[error("the path is not valid UTF-8 after percent-decoding")]
    NotUtf8,
    #[error("the path climbs to a parent directory with '..'")]
    ParentDir,
    #[error("the path contains a backslash or a NUL byte")]
    BadByte,
    #[error("no script at this path")]
    NotFound,
    #[error("the script lies outside the CGI directory")]
    OutsideRoot,
    #[error("not an executable file")]
    NotExecutable,
}

/// Finds the script for `url_path` (the part after the mount point, raw
/// from the request) under `root`, which must be canonical.
///
/// Blocking (it reads the disk): call it from `spawn_blocking`.
pub fn locate(root: &Path, url_path: &str) -> Result<Located, NotRun> {
    let decoded = percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| NotRun::NotUtf8)?;
    let segments: Vec<&str> = decoded
        .split('/')
        .filter(|segment| !segment.is_empty() && *segment != ".")
        .collect();
    for segment in &segments {
        if *segment == ".." {
            return Err(NotRun::ParentDir);
        }
        if segment.contains(['\\', '\0']) {
            return Err(NotRun::BadByte);
        }
    }

    let mut candidate = root.to_path_buf();
    for (index, segment) in segments.iter().enumerate() {
        candidate.push(segment);
        let metadata = std::fs::metadata(&candidate).map_err(|_| NotRun::NotFound)?;
        if metadata.is_dir() {
            continue;
        }
        let real = std::fs::canonicalize(&candidate).map_err(|_| NotRun::NotFound)?;
        if !real.starts_with(root) {
            return Err(NotRun::OutsideRoot);
        }
        if !metadata.is_file() || metadata.permissions().mode() & 0o111 == 0 {
            return Err(NotRun::NotExecutable);
        }
        let rest = &segments[index + 1..];
        return Ok(Located {
            filename: real,
            script_path: format!("/{}", segments[..=index].join("/")),
            path_info: rest.iter().map(|segment| format!("/{segment}")).collect(),
        });
    }
    // The path named the root or a directory: there is nothing to run.
    Err(NotRun::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root_with_script() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("cgi");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        let script = root.join("sub/run.sh");
        std::fs::write(&script, "#!/bin/sh\n").unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(root.join("notes.txt"), "x").unwrap();
        std::fs::write(dir.path().join("outside.sh"), "#!/bin/sh\n").unwrap();
        std::os::unix::fs::symlink(dir.path().join("outside.sh"), root.join("link.sh")).unwrap();
        let root = std::fs::canonicalize(root).unwrap();
        (dir, root)
    }

    #[test]
    fn the_first_file_is_the_script_and_the_rest_is_path_info() {
        let (_dir, root) = root_with_script();
        let found = locate(&root, "/sub/run.sh/a%20b//c").unwrap();
        assert_eq!(found.filename, root.join("sub/run.sh"));
        assert_eq!(found.script_path, "/sub/run.sh");
        assert_eq!(found.path_info, "/a b/c");
    }

    #[test]
    fn refusals() {
        let (_dir, root) = root_with_script();
        assert_eq!(locate(&root, "/sub/%2e%2e/x"), Err(NotRun::ParentDir));
        assert_eq!(locate(&root, "/sub/run.sh/../x"), Err(NotRun::ParentDir));
        assert_eq!(locate(&root, "/a%5cb"), Err(NotRun::BadByte));
        assert_eq!(locate(&root, "/%ff"), Err(NotRun::NotUtf8));
        assert_eq!(locate(&root, "/notes.txt"), Err(NotRun::NotExecutable));
        assert_eq!(locate(&root, "/link.sh"), Err(NotRun::OutsideRoot));
        assert_eq!(locate(&root, "/sub/"), Err(NotRun::NotFound));
        assert_eq!(locate(&root, "/missing.sh"), Err(NotRun::NotFound));
    }
}
