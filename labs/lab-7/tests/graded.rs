//! Lab 7's graded tests, one test program so `cargo test -p lab-7` runs
//! them all.
//!
//! Each exercise is checked twice: alone, against the rules (with a pretend
//! clock where time matters, so nothing here depends on how fast your
//! machine is), and plugged into the real switcher, deploying real demo-was
//! versions behind a real front while clients keep sending requests.

#[path = "graded/support.rs"]
mod support;

/// `idle_slot`: chapter 6, "Which slot is idle?"
#[path = "graded/idle_slot.rs"]
mod idle_slot;
/// `stop`: chapter 6, "Stopping the old version"
#[path = "graded/stop.rs"]
mod stop;
/// `switch_include`: chapter 6, "Switching nginx's include file"
#[path = "graded/switch_include.rs"]
mod switch_include;
/// `wait_healthy`: chapter 6, "Healthy before traffic"
#[path = "graded/wait_healthy.rs"]
mod wait_healthy;
