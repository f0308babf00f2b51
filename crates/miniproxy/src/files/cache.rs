//! Small static files kept in memory, like nginx's `open_file_cache`.
//!
//! Without it every static request makes the same trip: to tokio's blocking
//! pool (a thread hop each way), `canonicalize` (one `lstat` per path
//! component, to follow symlinks), `metadata`, `open`, `read`, `close`. A
//! site's stylesheet is asked for thousands of times a second and changes a
//! few times a day, so that work is nearly always repeated for nothing.
//!
//! A hit costs one `stat` of the file's real path, made right here on the
//! async worker: for a file the kernel has cached, that is a microsecond,
//! cheaper than the hop to a blocking thread would be. If the file's
//! identity (device, inode, size, modification time) is the one we read,
//! the bytes we kept are still the file's bytes. A file replaced by a deploy
//! (a new inode after a rename) or edited in place (a new mtime) is read
//! again on the next request.
//!
//! What the `stat` cannot see is a *symlink* changing where it points (a
//! `current -> releases/v2` switch): the real path we kept still exists. So
//! the path is resolved again, the slow way, once it is older than
//! [`RESOLVE_EVERY`]. nginx makes the same trade with
//! `open_file_cache_valid` (60 s by default); ours is one second.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::HeaderMap;

use super::Validators;

/// How long a resolved path (symlinks followed) is trusted.
pub const RESOLVE_EVERY: Duration = Duration::from_secs(1);
/// Files up to this size are kept; larger ones are streamed from disk.
pub const LARGEST: u64 = 64 * 1024;
/// Entries kept at most; when full, the cache starts over (simple, and a
/// site with more small files than this gains little from caching them).
const MOST: usize = 4096;

/// A file as the last slow lookup found it, with its answer's headers
/// already built.
pub struct Cached {
    /// Where the symlinks led, checked to be inside the root.
    real: PathBuf,
    identity: Identity,
    resolved: Instant,
    pub body: Bytes,
    pub validators: Validators,
    pub headers: HeaderMap,
}

/// What changes when the file does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Identity {
    device: u64,
    inode: u64,
    length: u64,
    modified_ns: i128,
}

impl Identity {
    fn of(metadata: &std::fs::Metadata) -> Identity {
        Identity {
            device: metadata.dev(),
            inode: metadata.ino(),
            length: metadata.len(),
            modified_ns: i128::from(metadata.mtime()) * 1_000_000_000
                + i128::from(metadata.mtime_nsec()),
        }
    }
}

/// Keyed by the web root, the path asked for under it (the same URL path
/// means another file under another root), and whether the URL ended in
/// `/`: `/docs/` is `docs/index.html`, but `/docs` is a redirect.
type Key = (PathBuf, PathBuf, bool);

fn entries() -> &'static Mutex<HashMap<Key, Arc<Cached>>> {
    static ENTRIES: OnceLock<Mutex<HashMap<Key, Arc<Cached>>>> = OnceLock::new();
    ENTRIES.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The cached file for `candidate` under `root`, if it is still the file on
/// disk. `None` sends the request down the slow path, which refreshes it.
pub fn get(root: &Path, candidate: &Path, directory_url: bool) -> Option<Arc<Cached>> {
    let key = (root.to_path_buf(), candidate.to_path_buf(), directory_url);
    let cached = entries()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned()?;
    if cached.resolved.elapsed() > RESOLVE_EVERY {
        return None;
    }
    let now = std::fs::metadata(&cached.real).ok()?;
    (Identity::of(&now) == cached.identity).then_some(cached)
}

/// Keeps what the slow path found for a small file: where it really is,
/// what it was when read (`metadata`), its bytes, its validators and the
/// headers every answer about it carries.
#[allow(clippy::too_many_arguments)] // one call site, every argument named there
pub fn put(
    root: &Path,
    candidate: &Path,
    directory_url: bool,
    real: PathBuf,
    metadata: &std::fs::Metadata,
    body: Bytes,
    validators: Validators,
    headers: HeaderMap,
) {
    // Only whole small files; a length that differs from what was read
    // means the file changed under us: read it again next time.
    if metadata.len() > LARGEST || body.len() as u64 != metadata.len() {
        return;
    }
    let cached = Arc::new(Cached {
        real,
        identity: Identity::of(metadata),
        resolved: Instant::now(),
        body,
        validators,
        headers,
    });
    let mut entries = entries().lock().unwrap_or_else(|e| e.into_inner());
    if entries.len() >= MOST {
        entries.clear();
    }
    entries.insert(
        (root.to_path_buf(), candidate.to_path_buf(), directory_url),
        cached,
    );
}
