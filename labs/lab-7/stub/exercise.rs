//! Lab 7: four decisions of a blue/green deploy.
//!
//! This is the only file you edit. Run `cargo test -p lab-7` to grade it,
//! `cargo run -p workbook -- hint 7 wait_healthy` (or `idle_slot`,
//! `switch_include`, `stop`) for a hint, and `cargo run -p workbook --
//! watch 7` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use std::path::Path;
use std::time::Duration;

use crate::{Patience, Slot, Stopped, Stopping, Waiting};

/// Picks the slot the new version goes to; returns its index in `slots`.
/// (Chapter 6, "Which slot is idle?")
///
/// `slots` are the places a version can run (`Slot { name, port, profile }`,
/// blue then green by default). `front_port` is the port the front proxy
/// sends traffic to now (`None`: nowhere yet, the first deploy). `profile`
/// is what `GET /profile` on that port answered (`None`: nothing answered;
/// it may end with a newline).
/// - Fewer than two slots: `Err` (blue/green needs two).
/// - `front_port` is `None`: the first slot, 0.
/// - `front_port` is the port of no slot: `Err`, naming the port.
/// - The live slot is the one with that port. If `profile` is `Some` and,
///   trimmed, is not that slot's `profile`: `Err` (the two witnesses
///   disagree; never guess).
/// - Otherwise the next slot after the live one, wrapping around (blue →
///   green → blue; with three slots, a → b → c → a).
pub fn idle_slot(
    slots: &[Slot],
    front_port: Option<u16>,
    profile: Option<&str>,
) -> Result<usize, String> {
    todo!("lab 7: pick the slot the front does not send traffic to")
}

/// Asks `waiting.probe()` until the new version is up; returns how many
/// checks it took. (Chapter 6, "Healthy before traffic")
///
/// `probe()` returns `Health::Up`, `Health::Down(why)` (not ready yet: ask
/// again) or `Health::Exited(why)` (the process is gone). `waiting.elapsed()`
/// is the time since the wait began; `waiting.sleep(d)` pauses (in the
/// tests, a pretend clock). `patience.deadline` bounds the whole wait,
/// `patience.interval` is the pause between two checks.
/// - Check at once, then after each pause.
/// - `Up`: `Ok(number of checks so far)`.
/// - `Exited`: `Err` at once, mentioning why.
/// - `Down`: pause `interval`, but never past the deadline: when less than
///   `interval` is left, pause only what is left, so the last check happens
///   exactly at the deadline. Once a check at (or after) the deadline is
///   `Down`, `Err` with the last reason. Never check after the deadline.
pub fn wait_healthy(waiting: &mut dyn Waiting, patience: Patience) -> Result<u32, String> {
    todo!("lab 7: check until up, with one deadline")
}

/// Replaces the file at `path` with `contents`, then runs `test` (what the
/// switcher runs there is `nginx -t`). (Chapter 6, "Switching nginx's
/// include file")
/// - The replacement is atomic: write a temporary file in the same folder,
///   flush it (`sync_all`), and `std::fs::rename` it over `path`. A process
///   that opened the old file keeps reading the old file, whole.
/// - `test` runs after the new file is in place (it must see the new file).
/// - `test` says `Err(why)`: put the previous contents back (atomically
///   too; if there was no file before, remove it) and return `Err(why)`.
/// - No temporary file is left behind, on success or failure.
/// - An I/O error: `Err` naming the path.
pub fn switch_include(
    path: &Path,
    contents: &str,
    test: &mut dyn FnMut() -> Result<(), String>,
) -> Result<(), String> {
    todo!("lab 7: replace the file atomically; put it back if the test fails")
}

/// Stops the process and returns only once it is gone. (Chapter 6,
/// "Stopping the old version")
///
/// `process.terminate()` sends SIGTERM, `process.kill()` SIGKILL,
/// `process.exited()` says whether it is gone; `process.elapsed()` and
/// `process.sleep(d)` are its clock (pretend, in the tests). Poll every
/// `switcher::stop::POLL`.
/// - SIGTERM first; wait up to `grace` for it to exit: `Ok(Stopped::Terminated)`.
/// - Still there after `grace`: SIGKILL (never before the grace period is
///   over), then wait up to `switcher::stop::AFTER_KILL` more:
///   `Ok(Stopped::Killed)`.
/// - Still there even then: `Err`.
/// - Whatever you return, return only once you have seen it exit (or given up).
pub fn stop(process: &mut dyn Stopping, grace: Duration) -> Result<Stopped, String> {
    todo!("lab 7: SIGTERM, wait, SIGKILL after the grace period, and see it exit")
}
