//! Waiting until the new version can serve.
//!
//! The tutorial's script starts the new version and immediately asks its
//! health endpoint; its loop then runs 10 times 10 seconds, longer than the
//! step's own timeout. Here the wait has one deadline, and every pause is
//! cut so that the last check happens at the deadline, never after it. A
//! process that exits while we wait ends the wait at once: no amount of
//! patience brings it back.
//!
//! Time and the checks come through [`Waiting`], so the rule can be tested
//! with a pretend clock, and the switcher runs it with the real one.

use std::time::{Duration, Instant};

/// What one health check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// The health endpoint answered 200 and said UP.
    Up,
    /// Not ready yet (refused, an error status, DOWN): worth asking again.
    Down(String),
    /// The process is gone: asking again is pointless.
    Exited(String),
}

/// How long to wait, and how often to ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    /// The whole wait, from the first check.
    pub deadline: Duration,
    /// The pause between two checks.
    pub interval: Duration,
}

/// The world a wait happens in: checks, a clock, and pauses.
pub trait Waiting {
    /// Asks once.
    fn probe(&mut self) -> Health;
    /// Time since the wait began.
    fn elapsed(&self) -> Duration;
    /// Pauses.
    fn sleep(&mut self, pause: Duration);
}

// ANCHOR: wait_healthy
/// Checks until the new version is up; returns how many checks it took.
pub fn wait_healthy(waiting: &mut dyn Waiting, patience: Patience) -> Result<u32, String> {
    let mut checks = 0;
    loop {
        checks += 1;
        let why = match waiting.probe() {
            Health::Up => return Ok(checks),
            Health::Exited(why) => return Err(format!("it exited before it was healthy ({why})")),
            Health::Down(why) => why,
        };
        // Never pause past the deadline: the last check is at the deadline.
        let left = patience.deadline.saturating_sub(waiting.elapsed());
        if left.is_zero() {
            return Err(format!(
                "not healthy within {:?} ({checks} checks; last: {why})",
                patience.deadline
            ));
        }
        waiting.sleep(left.min(patience.interval));
    }
}
// ANCHOR_END: wait_healthy

/// The real world: a health URL on a port, the process behind it, the
/// system clock. Prints one progress line per check.
pub struct HttpWaiting<'a> {
    pub port: u16,
    /// What `/profile` must say: the copy on the port is the one we started.
    pub profile: &'a str,
    pub path: &'a str,
    pub process: &'a mut crate::stop::Pid,
    pub started: Instant,
    pub progress: &'a mut dyn FnMut(&str),
}

impl Waiting for HttpWaiting<'_> {
    fn probe(&mut self) -> Health {
        if !self.process.is_running() {
            return Health::Exited(format!("pid {} is gone", self.process.pid));
        }
        let health = match crate::http::get(self.port, self.path) {
            Ok((200, body)) if body.contains("UP") => match crate::http::get(self.port, "/profile")
            {
                Ok((200, said)) if said.trim() == self.profile => Health::Up,
                Ok((_, said)) => Health::Down(format!(
                    "UP, but /profile says `{}`, not `{}`",
                    said.trim(),
                    self.profile
                )),
                Err(error) => Health::Down(format!("/profile: {error}")),
            },
            Ok((status, body)) => Health::Down(format!("{status} {}", body.trim())),
            Err(error) => Health::Down(error.to_string()),
        };
        let line = match &health {
            Health::Up => "UP".to_string(),
            Health::Down(why) | Health::Exited(why) => why.clone(),
        };
        (self.progress)(&format!(
            "  health {:>5} ms: {line}",
            self.started.elapsed().as_millis()
        ));
        health
    }

    fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    fn sleep(&mut self, pause: Duration) {
        std::thread::sleep(pause);
    }
}
