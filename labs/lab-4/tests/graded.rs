//! Lab 4's graded tests, one test program so `cargo test -p lab-4` runs
//! them all (cargo stops after the first failing test *program*).
//!
//! Each test starts the real cgi-runner with your function plugged in, asks
//! a real script (sh, perl or python3) over loopback HTTP to print the
//! environment it was given, and checks it.

#[path = "graded/support.rs"]
mod support;

/// `header_variables`: chapter 4, "What the client said".
#[path = "graded/header_variables.rs"]
mod header_variables;
/// `request_variables`: chapter 4, "What the server knows".
#[path = "graded/request_variables.rs"]
mod request_variables;
