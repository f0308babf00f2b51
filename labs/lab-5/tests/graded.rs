//! Lab 5's graded tests, one test program so `cargo test -p lab-5` runs
//! them all (cargo stops after the first failing test *program*).
//!
//! Each test starts the real cgi-runner with your function plugged in, runs
//! a real script (sh, perl or python3) that prints a header block, and
//! checks the HTTP answer that comes back over loopback.

#[path = "graded/support.rs"]
mod support;

/// `end_of_head`: chapter 4, "Where the header block ends".
#[path = "graded/end_of_head.rs"]
mod end_of_head;
/// `parse_head`: chapter 4, "What the header block says".
#[path = "graded/parse_head.rs"]
mod parse_head;
