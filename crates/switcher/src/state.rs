//! What the switcher remembers between runs, and the lock that keeps two
//! deploys apart.
//!
//! `state.json` says which slot is live and which ran before it, with each
//! one's process and command. It is written whole or not at all (a
//! temporary file renamed over it), so a switcher killed at any step leaves
//! either the old state or the new one, never half of each. The lock is an
//! `flock` on `lock`: the kernel drops it when the process ends, however it
//! ends, so a killed switcher never leaves a stale lock behind.

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::slots::Slot;

/// One version running in a slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Running {
    pub slot: Slot,
    pub pid: u32,
    /// The process's start time (see [`crate::stop::Pid`]).
    pub started: u64,
    /// The command that started it, for a rollback that restarts it.
    pub command: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// The version the front sends traffic to.
    pub live: Option<Running>,
    /// The one before it (stopped after a deploy; what rollback goes back to).
    pub previous: Option<Running>,
    /// A version started by a deploy that has not switched yet: a switcher
    /// killed mid-deploy leaves it here, and the next run stops it.
    pub starting: Option<Running>,
}

impl State {
    pub fn load(dir: &Path) -> Result<State, String> {
        let path = dir.join("state.json");
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        write_atomically(&dir.join("state.json"), text.as_bytes())
    }
}

/// A temporary file beside `path`, flushed, then renamed over it.
pub fn write_atomically(path: &Path, contents: &[u8]) -> Result<(), String> {
    let temporary = path.with_extension("tmp");
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::rename(&temporary, path)
    };
    write().map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// Held for the whole of a deploy, rollback or stop.
#[derive(Debug)]
pub struct Lock {
    _file: File,
    pub path: PathBuf,
}

impl Lock {
    /// Takes the lock, or says who holds it.
    pub fn take(dir: &Path) -> Result<Lock, String> {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let path = dir.join("lock");
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        // SAFETY: flock on a descriptor we own.
        let taken = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        if !taken {
            let holder = std::fs::read_to_string(&path).unwrap_or_default();
            return Err(format!(
                "another deploy is running (pid {}); wait for it to finish",
                holder.trim()
            ));
        }
        file.set_len(0).ok();
        write!(file, "{}", std::process::id()).ok();
        Ok(Lock { _file: file, path })
    }
}
