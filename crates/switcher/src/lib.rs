//! # switcher: blue/green deploys with nothing dropped
//!
//! The recipe, from the well-known tutorial this book's chapter 6 follows:
//! the app runs in one of two slots (blue on 8081, green on 8082), a proxy
//! in front sends traffic to one of them. A deploy
//!
//! 1. asks which slot is live (the front, and the app's `/profile`), and
//!    picks the other one ([`slots::idle_slot`]);
//! 2. starts the new version there, and waits until its `/health` says UP,
//!    with one deadline ([`health::wait_healthy`]);
//! 3. switches the front: miniproxy through its admin API, nginx by an
//!    include file written atomically, `nginx -t`, reload
//!    ([`front`], [`include::switch_include`]);
//! 4. lets the old version drain, stops it, and checks it exited
//!    ([`stop::stop`]).
//!
//! Any step that fails leaves the old version serving, says why in one
//! line, and exits non-zero. The four decisions are plain functions held in
//! [`Hooks`], so lab 7 can run this real tool with the learner's code.

pub mod deploy;
pub mod front;
pub mod health;
pub mod http;
pub mod include;
pub mod slots;
pub mod state;
pub mod stop;

use std::path::Path;
use std::time::Duration;

pub use deploy::{deploy, rollback, status, Settings};
pub use front::Front;
pub use health::{Health, Patience, Waiting};
pub use slots::Slot;
pub use stop::{Stopped, Stopping};

/// `idle_slot`'s shape: slots, the front's port, the live copy's profile.
pub type IdleSlot = fn(&[Slot], Option<u16>, Option<&str>) -> Result<usize, String>;

/// `switch_include`'s shape: the file, its new contents, the test to run.
pub type SwitchInclude =
    fn(&Path, &str, &mut dyn FnMut() -> Result<(), String>) -> Result<(), String>;

/// The decisions a deploy makes, as plain functions.
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    /// See [`slots::idle_slot`].
    pub idle_slot: IdleSlot,
    /// See [`health::wait_healthy`].
    pub wait_healthy: fn(&mut dyn Waiting, Patience) -> Result<u32, String>,
    /// See [`include::switch_include`].
    pub switch_include: SwitchInclude,
    /// See [`stop::stop`].
    pub stop: fn(&mut dyn Stopping, Duration) -> Result<Stopped, String>,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            idle_slot: slots::idle_slot,
            wait_healthy: health::wait_healthy,
            switch_include: include::switch_include,
            stop: stop::stop,
        }
    }
}

/// Runs a hook; a panic (an unfinished `todo!()`) becomes an error line.
pub use guarded::guarded;
