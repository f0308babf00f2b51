//! Lab 2's graded tests, one test program so `cargo test -p lab-2` runs
//! them all.
//!
//! Each test starts the real miniproxy with your functions plugged in, in
//! front of three real demo-was application servers (profiles a, b and c),
//! and sends real HTTP over loopback.

#[path = "graded/support.rs"]
mod support;

/// `choose`: chapter 2, "Spreading the load"
#[path = "graded/choose.rs"]
mod choose;
/// `rewrite_headers`: chapter 2, "What crosses the proxy"
#[path = "graded/rewrite_headers.rs"]
mod rewrite_headers;
