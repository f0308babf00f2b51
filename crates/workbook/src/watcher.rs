//! Noticing that the learner saved an exercise file.
//!
//! Three things make this harder than "watch the file":
//!
//! 1. **Editors replace files.** vim, JetBrains IDEs and many others save by
//!    writing a temporary file and renaming it over the original. A watch on
//!    the *file* follows the old inode, which was just unlinked, and goes
//!    deaf after the first save. So we watch the *directory* (`src/`) and
//!    look at the names in its events.
//! 2. **One save is many events.** A rename-over save produces create,
//!    modify and rename events, sometimes for several files; a plain write
//!    produces modify and close-write. We debounce: after the first relevant
//!    event, keep collecting until the directory has been quiet for a moment
//!    (~200 ms), then report once.
//! 3. **Reading is not saving.** Grading makes rustc open exercise.rs, and
//!    Linux reports opens. Counting those would re-grade forever, so only
//!    events that change content or names count, and only for the exercise
//!    files themselves (not lib.rs, not the editor's swap files).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use anyhow::Context;
use notify::event::{AccessKind, AccessMode, ModifyKind};
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// How long the directory must be quiet before a burst counts as one save.
pub const DEBOUNCE: Duration = Duration::from_millis(200);

/// A burst that never goes quiet (a tool rewriting the file in a loop) is
/// still reported after this long, so grading is never starved.
const MAX_BURST: Duration = Duration::from_secs(2);

pub struct ExerciseWatcher {
    // Kept alive for as long as we want events; dropping it stops watching.
    _watcher: RecommendedWatcher,
    events: Receiver<notify::Result<Event>>,
    /// The watched files, as absolute paths with canonical directories, which
    /// is how the OS names them in events.
    files: BTreeSet<PathBuf>,
}

impl ExerciseWatcher {
    /// Starts watching the directories of `files`. Saves made after this
    /// returns are reported by [`next_change`](Self::next_change).
    pub fn new(files: &[PathBuf]) -> anyhow::Result<Self> {
        let (tx, events) = mpsc::channel();
        let mut watcher =
            notify::recommended_watcher(tx).context("cannot start the file watcher")?;
        let mut watched = BTreeSet::new();
        let mut dirs = BTreeSet::new();
        for file in files {
            let file = canonical_in_dir(file)?;
            if let Some(dir) = file.parent() {
                dirs.insert(dir.to_path_buf());
            }
            watched.insert(file);
        }
        for dir in &dirs {
            watcher
                .watch(dir, RecursiveMode::NonRecursive)
                .with_context(|| format!("cannot watch {}", dir.display()))?;
        }
        Ok(ExerciseWatcher {
            _watcher: watcher,
            events,
            files: watched,
        })
    }

    /// Blocks until one or more watched files were saved, and returns them
    /// (once each, sorted). With a `timeout`, returns `None` if nothing was
    /// saved in that time. `debounce` is how long to wait for the burst of
    /// events belonging to the same save to end ([`DEBOUNCE`] in the CLI).
    pub fn next_change(
        &self,
        debounce: Duration,
        timeout: Option<Duration>,
    ) -> anyhow::Result<Option<Vec<PathBuf>>> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut changed = BTreeSet::new();

        // Wait for the first relevant event.
        while changed.is_empty() {
            let event = match deadline {
                None => self.events.recv().ok(),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match self.events.recv_timeout(left) {
                        Ok(event) => Some(event),
                        Err(RecvTimeoutError::Timeout) => return Ok(None),
                        Err(RecvTimeoutError::Disconnected) => None,
                    }
                }
            };
            let Some(event) = event else {
                anyhow::bail!("the file watcher stopped");
            };
            self.collect(event, &mut changed);
        }

        // Then swallow the rest of the burst.
        let burst_end = Instant::now() + MAX_BURST;
        while Instant::now() < burst_end {
            match self.events.recv_timeout(debounce) {
                Ok(event) => self.collect(event, &mut changed),
                Err(_) => break, // quiet for `debounce` (or watcher gone)
            }
        }
        Ok(Some(changed.into_iter().collect()))
    }

    fn collect(&self, event: notify::Result<Event>, changed: &mut BTreeSet<PathBuf>) {
        match event {
            Ok(event) if is_save(&event.kind) => {
                for path in event.paths {
                    if self.files.contains(&path) {
                        changed.insert(path);
                    }
                }
            }
            Ok(_) => {}
            // A watcher error (e.g. the OS queue overflowed) loses events;
            // say so rather than silently missing a save.
            Err(err) => eprintln!("warning: file watcher: {err}"),
        }
    }
}

/// Events that can mean "the file now has new content".
fn is_save(kind: &EventKind) -> bool {
    match kind {
        // Created, or renamed into place (the editor's rename-over).
        EventKind::Create(_) => true,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Modify(_) => true,
        // A writer closed the file: the end of an in-place save.
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        // Opens and reads (rustc compiling the lab) are not saves.
        EventKind::Access(_) => false,
        // A removal alone is not a save; the create that follows is.
        EventKind::Remove(_) => false,
        // Backends that cannot tell: count it, at worst one extra grading.
        EventKind::Any | EventKind::Other => true,
    }
}

/// `dir/file` with `dir` canonicalized. The file itself may be mid-rename
/// (briefly absent), but its directory is stable, and canonical names match
/// what the OS reports (macOS reports /private/var for /var, for example).
fn canonical_in_dir(file: &Path) -> anyhow::Result<PathBuf> {
    let name = file
        .file_name()
        .with_context(|| format!("{} is not a file path", file.display()))?;
    let dir = file.parent().unwrap_or(Path::new("."));
    let dir = dir
        .canonicalize()
        .with_context(|| format!("cannot watch {}", dir.display()))?;
    Ok(dir.join(name))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    /// Generous: this is a deadline on a condition, not a sleep.
    const WAIT: Duration = Duration::from_secs(10);

    /// A temp copy of a lab's `src/` with an exercise.rs and a lib.rs.
    fn lab_src() -> (tempfile::TempDir, PathBuf) {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("labs/lab-1/src");
        fs::create_dir_all(&src).unwrap();
        fs::write(src.join("exercise.rs"), "pub fn resolve() { todo!() }\n").unwrap();
        fs::write(src.join("lib.rs"), "mod exercise;\n").unwrap();
        let exercise = src.join("exercise.rs");
        (tmp, exercise)
    }

    fn watched(exercise: &Path) -> PathBuf {
        canonical_in_dir(exercise).unwrap()
    }

    #[test]
    fn sees_a_temp_file_renamed_over_the_exercise() {
        let (_tmp, exercise) = lab_src();
        let watcher = ExerciseWatcher::new(std::slice::from_ref(&exercise)).unwrap();

        // What vim does with `backupcopy=no`, and what many IDEs do.
        let temp = exercise.with_file_name(".exercise.rs.swp-new");
        fs::write(&temp, "pub fn resolve() { /* solved */ }\n").unwrap();
        fs::rename(&temp, &exercise).unwrap();

        let changed = watcher.next_change(DEBOUNCE, Some(WAIT)).unwrap();
        assert_eq!(changed, Some(vec![watched(&exercise)]));

        // And it keeps working after the original inode is gone: a second
        // rename-over save is seen too.
        fs::write(&temp, "pub fn resolve() { /* again */ }\n").unwrap();
        fs::rename(&temp, &exercise).unwrap();
        let changed = watcher.next_change(DEBOUNCE, Some(WAIT)).unwrap();
        assert_eq!(changed, Some(vec![watched(&exercise)]));
    }

    #[test]
    fn sees_an_in_place_write() {
        let (_tmp, exercise) = lab_src();
        let watcher = ExerciseWatcher::new(std::slice::from_ref(&exercise)).unwrap();
        fs::write(&exercise, "pub fn resolve() {}\n").unwrap();
        let changed = watcher.next_change(DEBOUNCE, Some(WAIT)).unwrap();
        assert_eq!(changed, Some(vec![watched(&exercise)]));
    }

    #[test]
    fn a_burst_of_writes_is_one_change() {
        let (_tmp, exercise) = lab_src();
        let watcher = ExerciseWatcher::new(std::slice::from_ref(&exercise)).unwrap();
        for i in 0..5 {
            fs::write(&exercise, format!("// save {i}\n")).unwrap();
        }
        let changed = watcher.next_change(DEBOUNCE, Some(WAIT)).unwrap();
        assert_eq!(changed, Some(vec![watched(&exercise)]));
        // The burst was swallowed whole: nothing is left over.
        let rest = watcher.next_change(DEBOUNCE, Some(DEBOUNCE * 3)).unwrap();
        assert_eq!(rest, None);
    }

    #[test]
    fn other_files_and_reads_are_ignored() {
        let (_tmp, exercise) = lab_src();
        let watcher = ExerciseWatcher::new(std::slice::from_ref(&exercise)).unwrap();
        // Another file in the same directory, an editor's swap file, and a
        // read of the exercise (what rustc does while grading).
        fs::write(exercise.with_file_name("lib.rs"), "// edited\n").unwrap();
        fs::write(exercise.with_file_name(".exercise.rs.swp"), "swap").unwrap();
        let _ = fs::read_to_string(&exercise).unwrap();
        // Absence of an event can only be checked against a deadline.
        let changed = watcher
            .next_change(DEBOUNCE, Some(Duration::from_millis(800)))
            .unwrap();
        assert_eq!(changed, None);

        // ...while a real save right after is still seen.
        fs::write(&exercise, "// saved\n").unwrap();
        let changed = watcher.next_change(DEBOUNCE, Some(WAIT)).unwrap();
        assert_eq!(changed, Some(vec![watched(&exercise)]));
    }

    #[test]
    fn reports_which_lab_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let mut files = Vec::new();
        for n in 1..=2 {
            let src = tmp.path().join(format!("labs/lab-{n}/src"));
            fs::create_dir_all(&src).unwrap();
            fs::write(src.join("exercise.rs"), "").unwrap();
            files.push(src.join("exercise.rs"));
        }
        let watcher = ExerciseWatcher::new(&files).unwrap();
        fs::write(&files[1], "// lab 2 saved\n").unwrap();
        let changed = watcher.next_change(DEBOUNCE, Some(WAIT)).unwrap();
        assert_eq!(changed, Some(vec![watched(&files[1])]));
    }
}
