//! Lab 8's graded tests, one test program so `cargo test -p lab-8` runs
//! them all.
//!
//! Each test writes real config files (an in-repo one, an external one with
//! its own permissions), an environment and flags, then starts the real
//! demo-was with your function plugged in, on a real SQLite file, and checks
//! what it serves, or that it refuses to start and why.

#[path = "graded/support.rs"]
mod support;

/// `guard`: chapter 7, "The production guard"
#[path = "graded/guard.rs"]
mod guard;
/// `merge`: chapter 7, "Layers, weakest first"
#[path = "graded/merge.rs"]
mod merge;
