//! # Lab 7: zero-downtime blue/green deploys
//!
//! You write four decisions of a deploy, and the graded tests run the real
//! switcher with your code plugged in, deploying real demo-was versions
//! behind a real front (miniproxy, and real nginx) under load:
//!
//! * [`idle_slot`]: which slot the new version goes to;
//! * [`wait_healthy`]: waiting until it can serve, with one deadline;
//! * [`switch_include`]: nginx's include file, switched atomically, put
//!   back when `nginx -t` refuses it;
//! * [`stop`]: stopping the old version, and making sure it is gone.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-7`.
//! Chapter 6 of the book explains everything the tests ask for.

// Which code is graded: yours (the default), the switcher's own with
// `--features solution`, or a known mistake with `--features mistake` (the
// file named by WORKBOOK_MISTAKE; `workbook verify` uses it). `solution`
// wins when both are on. See labs/lab-1/src/lib.rs for the whole story.
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-7/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{idle_slot, stop, switch_include, wait_healthy};

#[cfg(feature = "solution")]
pub use switcher::health::wait_healthy;
#[cfg(feature = "solution")]
pub use switcher::include::switch_include;
#[cfg(feature = "solution")]
pub use switcher::slots::idle_slot;
#[cfg(feature = "solution")]
pub use switcher::stop::stop;

pub use switcher::{Health, Patience, Slot, Stopped, Stopping, Waiting};

/// Your four functions, plugged into the real switcher.
pub fn hooks() -> switcher::Hooks {
    switcher::Hooks {
        idle_slot,
        wait_healthy,
        switch_include,
        stop,
    }
}
