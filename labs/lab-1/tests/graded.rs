//! Lab 1's graded tests, one test program so `cargo test -p lab-1` runs
//! them all (cargo stops after the first failing test *program*).
//!
//! Each test starts the real miniproxy with your functions plugged in and
//! sends real HTTP over loopback.

#[path = "graded/support.rs"]
mod support;

/// `classify`: chapter 1, "Static or dynamic?"
#[path = "graded/classify.rs"]
mod classify;
/// `resolve`: chapter 1, "Which file does a URL mean?"
#[path = "graded/resolve.rs"]
mod resolve;
