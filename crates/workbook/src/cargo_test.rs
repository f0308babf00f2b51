//! Running a lab's graded tests with cargo.
//!
//! The CLI grades with the very command a learner could type:
//!
//! ```text
//! cargo test -p lab-N --tests --no-fail-fast --color never [--features solution]
//! ```
//!
//! * `--tests` builds and runs the test targets (not doctests, which would
//!   only add build time);
//! * `--no-fail-fast` keeps going after the first failing test *file*, so
//!   the scoreboard counts every graded test, not just the first file's;
//! * `--color never` because the output is parsed, not shown;
//! * `--features solution` swaps in the real crate's code (`verify` only).
//!
//! Output is captured and handed to [`crate::libtest`]. Cargo's own progress
//! goes to stderr, so a cold build (tokio, hyper, the engine: tens of
//! seconds) is silent; callers say what they are doing before calling.

use std::ffi::OsString;
use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::labs::Lab;
use crate::libtest::{self, Run};

/// Which code the lab is built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    /// `src/exercise.rs`: the learner's code, or the shipped stub.
    Exercise,
    /// The reference solution (`--features solution`).
    Solution,
}

/// The cargo arguments for grading `lab` with `code`, for running and for
/// showing to a learner who wants to run the same thing by hand.
pub fn args(lab: &Lab, code: Code) -> Vec<String> {
    let mut args: Vec<String> = ["test", "-p", &lab.package(), "--tests", "--no-fail-fast"]
        .map(String::from)
        .into();
    args.extend(["--color", "never"].map(String::from));
    if code == Code::Solution {
        args.extend(["--features", "solution"].map(String::from));
    }
    args
}

/// Runs the graded tests of `lab` in the workspace at `root` and parses the
/// output. An `Err` means cargo could not be started at all; a failing
/// build or failing tests are an `Ok(Run)` that says so.
pub fn run(root: &Path, lab: &Lab, code: Code) -> anyhow::Result<Run> {
    let cargo = cargo();
    let output = Command::new(&cargo)
        .args(args(lab, code))
        .current_dir(root)
        // Panic messages are what the learner needs; a backtrace per failing
        // test would bury them. (`cargo test -p lab-N` by hand still honours
        // the learner's own RUST_BACKTRACE.)
        .env("RUST_BACKTRACE", "0")
        .output()
        .with_context(|| format!("cannot run {}", cargo.to_string_lossy()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    tracing::debug!(%stdout, %stderr, status = %output.status, "cargo test finished");
    Ok(libtest::parse(&stdout, &stderr, output.status.success()))
}

/// The cargo that built us when run via `cargo run` (cargo sets `CARGO`),
/// so grading uses the same toolchain; plain `cargo` otherwise.
fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn grading_command_lines() {
        let lab = Lab {
            number: 2,
            dir: PathBuf::from("/w/labs/lab-2"),
        };
        assert_eq!(
            args(&lab, Code::Exercise).join(" "),
            "test -p lab-2 --tests --no-fail-fast --color never"
        );
        assert_eq!(
            args(&lab, Code::Solution).join(" "),
            "test -p lab-2 --tests --no-fail-fast --color never --features solution"
        );
    }
}
