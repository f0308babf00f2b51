//! # Lab 5: a blocking handler in an async server
//!
//! You write the one function demo-was uses to serve a *blocking* handler
//! (code that holds its thread: a database driver without async, a C
//! library) from its async server, the way gunicorn's sync workers run a
//! WSGI app: off the runtime's threads, at most so many at a time.
//!
//! * [`run_blocking`]: run one job within the worker slots.
//!
//! The graded tests start the real demo-was with your function plugged in,
//! send it real HTTP over loopback, and watch what its worker pool does:
//! how many handlers run at once, whether a probe is still answered while
//! they block, what a panic or a client that went away leaves behind.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-5`.
//! Chapter 4 of the book explains everything the tests ask for.

// Which code is graded: yours (default), demo-was's own with
// `--features solution`, or a known mistake with `--features mistake` and
// WORKBOOK_MISTAKE (see labs/lab-4/src/lib.rs for the full story).
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-5/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::run_blocking;

#[cfg(feature = "solution")]
pub use demo_was::workers::run_blocking;

pub use demo_was::workers::{Job, JobFailed, RunBlocking};
pub use guarded::panic_message;
pub use std::sync::Arc;
pub use tokio::sync::Semaphore;

/// Your function, ready to plug into demo-was's worker pool.
pub fn hook() -> RunBlocking {
    |limit, job| Box::pin(run_blocking(limit, job))
}
