//! Lab 4's graded tests, one test program so `cargo test -p lab-4` runs
//! them all (cargo stops after the first failing test *program*).
//!
//! Each test starts the real cgi-runner with your function plugged in and
//! runs a real script (sh, perl or python3) over loopback HTTP: for the
//! first half, one that prints the environment it was given; for the
//! second, one that prints a header block, and the answer is checked.

/// The bench for the second half: the scripts a test hands it.
#[path = "graded/answer_bench.rs"]
mod answer_bench;
/// The bench for the first half: scripts that print their environment.
#[path = "graded/support.rs"]
mod support;

/// `end_of_head`: chapter 4, "Where the header block ends".
#[path = "graded/end_of_head.rs"]
mod end_of_head;
/// `parse_head`: chapter 4, "What the header block says".
#[path = "graded/parse_head.rs"]
mod parse_head;

/// `header_variables`: chapter 4, "What the client said".
#[path = "graded/header_variables.rs"]
mod header_variables;
/// `request_variables`: chapter 4, "What the server knows".
#[path = "graded/request_variables.rs"]
mod request_variables;
