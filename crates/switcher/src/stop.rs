//! Stopping the old version, and making sure it is gone.
//!
//! The tutorial's script sends a kill and moves on: it never checks that
//! the process exited, so the next deploy may find the port still taken.
//! Here: SIGTERM (the app stops accepting and finishes what it has), a
//! grace period for that, SIGKILL if it overstays, and a stop counts only
//! once the process is really gone.

use std::time::{Duration, Instant};

/// How often a stop looks whether the process is gone.
pub const POLL: Duration = Duration::from_millis(20);

/// How long a process may take to disappear after SIGKILL.
pub const AFTER_KILL: Duration = Duration::from_secs(5);

/// How the process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stopped {
    /// It exited within the grace period after SIGTERM.
    Terminated,
    /// It overstayed and got SIGKILL.
    Killed,
}

/// A process to stop, and a clock.
pub trait Stopping {
    /// Sends SIGTERM: "finish what you are doing and exit".
    fn terminate(&mut self);
    /// Sends SIGKILL: the kernel ends it, no questions asked.
    fn kill(&mut self);
    /// Whether it is gone.
    fn exited(&mut self) -> bool;
    /// Time since the stop began.
    fn elapsed(&self) -> Duration;
    fn sleep(&mut self, pause: Duration);
}

// ANCHOR: stop
/// Stops the process: SIGTERM, up to `grace` to exit, then SIGKILL.
pub fn stop(process: &mut dyn Stopping, grace: Duration) -> Result<Stopped, String> {
    process.terminate();
    while process.elapsed() < grace {
        if process.exited() {
            return Ok(Stopped::Terminated);
        }
        process.sleep(POLL);
    }
    if process.exited() {
        return Ok(Stopped::Terminated);
    }
    process.kill();
    let killed_at = process.elapsed();
    while process.elapsed() < killed_at + AFTER_KILL {
        if process.exited() {
            return Ok(Stopped::Killed);
        }
        process.sleep(POLL);
    }
    Err(format!("still running {AFTER_KILL:?} after SIGKILL"))
}
// ANCHOR_END: stop

/// A real process, known by its id and its start time (so a recycled id
/// is never mistaken for it).
#[derive(Debug, Clone)]
pub struct Pid {
    pub pid: u32,
    /// Field 22 of /proc/PID/stat: when it started, in clock ticks.
    pub started: u64,
    pub clock: Instant,
}

impl Pid {
    pub fn new(pid: u32) -> Pid {
        Pid {
            pid,
            started: start_time(pid).unwrap_or(0),
            clock: Instant::now(),
        }
    }

    pub fn known(pid: u32, started: u64) -> Pid {
        Pid {
            pid,
            started,
            clock: Instant::now(),
        }
    }

    fn send(&self, signal: libc::c_int) {
        if self.is_running() {
            // SAFETY: kill(2) only sends a signal; the id was checked to
            // still be the process we started.
            unsafe { libc::kill(self.pid as libc::pid_t, signal) };
        }
    }

    /// Running: it exists, is the same process, and is not a zombie.
    pub fn is_running(&self) -> bool {
        // Our own child: reap it if it is done, so it does not linger as a
        // zombie. (-1: not our child, e.g. started by an earlier run.)
        let mut status = 0;
        // SAFETY: waitpid with WNOHANG on one pid only reads its status.
        let reaped = unsafe { libc::waitpid(self.pid as libc::pid_t, &mut status, libc::WNOHANG) };
        if reaped > 0 {
            return false;
        }
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{}/stat", self.pid)) else {
            return false;
        };
        // After the `(command name)`, which may hold spaces: state, ...
        let Some((_, rest)) = stat.rsplit_once(')') else {
            return false;
        };
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let zombie = fields.first() == Some(&"Z");
        let same = fields.get(19).and_then(|s| s.parse::<u64>().ok()) == Some(self.started);
        !zombie && same
    }
}

fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = stat.rsplit_once(')')?;
    rest.split_whitespace().nth(19)?.parse().ok()
}

impl Stopping for Pid {
    fn terminate(&mut self) {
        self.clock = Instant::now();
        self.send(libc::SIGTERM);
    }
    fn kill(&mut self) {
        self.send(libc::SIGKILL);
    }
    fn exited(&mut self) -> bool {
        !self.is_running()
    }
    fn elapsed(&self) -> Duration {
        self.clock.elapsed()
    }
    fn sleep(&mut self, pause: Duration) {
        std::thread::sleep(pause);
    }
}
