//! Lab 5's graded tests, one test program so `cargo test -p lab-5` runs
//! them all (cargo stops after the first failing test *program*).
//!
//! Each test starts the real demo-was, on a runtime of its own with two
//! threads, with your `run_blocking` serving its `/blocking` page, and
//! sends it real HTTP over loopback. The blocking handler is one the test
//! controls: it blocks its thread until the test lets it go, so nothing
//! here depends on timing.

#[path = "graded/support.rs"]
mod support;

/// `run_blocking`: chapter 4, "Blocking code in an async server".
#[path = "graded/run_blocking.rs"]
mod run_blocking;
