//! Is an upstream healthy? Two ways of finding out, used together.
//!
//! * **Passive** (nginx's `max_fails` and `fail_timeout`): watch real
//!   traffic. After `max_fails` failed attempts (no connection, a broken
//!   exchange) within `fail_timeout`, the upstream sits out for
//!   `fail_timeout`, then gets another chance. It costs nothing, but a
//!   user's request has to fail first for anyone to notice.
//! * **Active** (HAProxy's `check` with `rise` and `fall`): ask every
//!   `interval` with a request of our own (`GET /health`). `fall` failures
//!   in a row take the upstream out; `rise` successes in a row bring it
//!   back. It notices a dead upstream before a user does, and it notices a
//!   recovered one without risking a user's request on it. Counting in a row
//!   keeps one lost packet from flapping the pool.
//!
//! An upstream is chosen only when both agree it is healthy.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde::Deserialize;

/// When real traffic takes an upstream out of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PassivePolicy {
    /// Failures within `fail_timeout` that take it out; 0 never does.
    pub max_fails: u32,
    /// The window failures are counted in, and the time it sits out.
    pub fail_timeout: Duration,
}

impl Default for PassivePolicy {
    /// nginx's defaults: one failure takes an upstream out for 10 seconds.
    fn default() -> PassivePolicy {
        PassivePolicy {
            max_fails: 1,
            fail_timeout: Duration::from_secs(10),
        }
    }
}

/// The active check: what to ask, how often, how many answers in a row.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActiveCheck {
    /// The path asked with GET; any 2xx or 3xx answer is healthy.
    pub path: String,
    /// Time between checks, in milliseconds.
    #[serde(default = "ActiveCheck::default_interval_ms")]
    pub interval_ms: u64,
    /// Successes in a row that bring a down upstream back.
    #[serde(default = "ActiveCheck::default_rise")]
    pub rise: u32,
    /// Failures in a row that take an up upstream out.
    #[serde(default = "ActiveCheck::default_fall")]
    pub fall: u32,
}

impl ActiveCheck {
    // HAProxy's defaults: every 2 s, rise 2, fall 3.
    fn default_interval_ms() -> u64 {
        2000
    }
    fn default_rise() -> u32 {
        2
    }
    fn default_fall() -> u32 {
        3
    }

    pub fn interval(&self) -> Duration {
        Duration::from_millis(self.interval_ms.max(1))
    }
}

/// What is known about one upstream's health.
#[derive(Debug, Default)]
pub struct Health {
    state: Mutex<State>,
    /// False while `state` holds nothing against the upstream: the usual
    /// case, answered without the lock. Every request asks, from every
    /// worker thread, and a lock taken by all of them moves between the
    /// cores on each request; a flag that rarely changes stays in each
    /// core's cache.
    troubled: AtomicBool,
}

#[derive(Debug, Default)]
struct State {
    /// Recent failed attempts (passive), oldest first.
    failures: Vec<Instant>,
    /// Out of the pool until then (passive).
    down_until: Option<Instant>,
    /// The active check's verdict; up until a check says otherwise.
    active_down: bool,
    /// Checks in a row that agreed with each other.
    streak: u32,
    /// Whether that streak is of successes.
    streak_ok: bool,
}

impl Health {
    /// Whether the upstream may be chosen now.
    pub fn is_healthy(&self, now: Instant) -> bool {
        if !self.troubled.load(Ordering::Acquire) {
            return true;
        }
        let state = self.state.lock().expect("health lock");
        let passive_out = state.down_until.is_some_and(|until| now < until);
        !passive_out && !state.active_down
    }

    /// A request to it failed: count it, and take it out after too many.
    pub fn record_failure(&self, policy: PassivePolicy, now: Instant) {
        if policy.max_fails == 0 {
            return;
        }
        let mut state = self.state.lock().expect("health lock");
        state
            .failures
            .retain(|&at| now.duration_since(at) < policy.fail_timeout);
        state.failures.push(now);
        if state.failures.len() as u32 >= policy.max_fails {
            state.down_until = Some(now + policy.fail_timeout);
            state.failures.clear();
        }
        self.note(&state);
    }

    /// A request to it succeeded: a passive sit-out is over early.
    pub fn record_success(&self) {
        if !self.troubled.load(Ordering::Acquire) {
            return; // nothing to forgive
        }
        let mut state = self.state.lock().expect("health lock");
        state.failures.clear();
        state.down_until = None;
        self.note(&state);
    }

    /// Keeps `troubled` in step with `state` (called with the lock held).
    fn note(&self, state: &State) {
        let troubled =
            !state.failures.is_empty() || state.down_until.is_some() || state.active_down;
        self.troubled.store(troubled, Ordering::Release);
    }

    /// One active check's result. Returns the new verdict when it changed
    /// (`Some(true)`: back up; `Some(false)`: taken out), for the log.
    pub fn record_check(&self, check: &ActiveCheck, ok: bool) -> Option<bool> {
        let mut state = self.state.lock().expect("health lock");
        if state.streak_ok == ok {
            state.streak += 1;
        } else {
            state.streak_ok = ok;
            state.streak = 1;
        }
        if ok && state.active_down && state.streak >= check.rise {
            state.active_down = false;
            // A recovered upstream starts with a clean passive record too.
            state.down_until = None;
            state.failures.clear();
            self.note(&state);
            return Some(true);
        }
        if !ok && !state.active_down && state.streak >= check.fall {
            state.active_down = true;
            self.note(&state);
            return Some(false);
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn max_fails_within_the_window_takes_it_out_for_fail_timeout() {
        let policy = PassivePolicy {
            max_fails: 2,
            fail_timeout: Duration::from_secs(10),
        };
        let health = Health::default();
        let t0 = Instant::now();
        health.record_failure(policy, t0);
        assert!(health.is_healthy(t0));
        // The first failure is outside the window by now: still in.
        health.record_failure(policy, t0 + Duration::from_secs(11));
        assert!(health.is_healthy(t0 + Duration::from_secs(11)));
        health.record_failure(policy, t0 + Duration::from_secs(12));
        assert!(!health.is_healthy(t0 + Duration::from_secs(12)));
        assert!(health.is_healthy(t0 + Duration::from_secs(23)));
    }

    #[test]
    fn max_fails_zero_never_takes_it_out() {
        let policy = PassivePolicy {
            max_fails: 0,
            fail_timeout: Duration::from_secs(10),
        };
        let health = Health::default();
        let now = Instant::now();
        for _ in 0..5 {
            health.record_failure(policy, now);
        }
        assert!(health.is_healthy(now));
    }

    #[test]
    fn active_checks_count_in_a_row() {
        let check = ActiveCheck {
            path: "/health".into(),
            interval_ms: 100,
            rise: 2,
            fall: 3,
        };
        let health = Health::default();
        let now = Instant::now();
        assert_eq!(health.record_check(&check, false), None);
        assert_eq!(health.record_check(&check, false), None);
        assert_eq!(health.record_check(&check, true), None); // the streak breaks
        assert_eq!(health.record_check(&check, false), None);
        assert_eq!(health.record_check(&check, false), None);
        assert_eq!(health.record_check(&check, false), Some(false));
        assert!(!health.is_healthy(now));
        assert_eq!(health.record_check(&check, true), None);
        assert_eq!(health.record_check(&check, true), Some(true));
        assert!(health.is_healthy(now));
    }
}
