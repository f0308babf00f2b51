//! Lab 6's graded tests, one test program so `cargo test -p lab-6` runs
//! them all (cargo stops after the first failing test *program*).
//!
//! Most tests call your functions with the exact cases of the chapter's
//! tables; the last test of each module plugs your code into the real
//! portaudit engine and runs it on this machine's live socket tables, with
//! listeners the test opened itself on loopback and on every interface.

#[path = "graded/support.rs"]
mod support;

/// `exposure`: chapter 5, "Loopback, every interface, or one"
#[path = "graded/exposure.rs"]
mod exposure;
/// `evaluate`: chapter 5, "First match wins"
#[path = "graded/firewall.rs"]
mod firewall;
/// `parse_line`: chapter 5, "Reading /proc/net/tcp by hand"
#[path = "graded/parse.rs"]
mod parse;
