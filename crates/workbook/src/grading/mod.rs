//! Grading: build a lab's graded tests, run them, and say what happened.
//!
//! One typed module that `check`, `watch` and `verify` all share, in three
//! steps, each in its own file:
//!
//! 1. [`build`]: `cargo test --no-run --message-format=json` compiles the lab
//!    and names every test program it built (or the first compile error),
//!    in cargo's stable, structured output instead of its human text;
//! 2. each graded test program is run directly, so its exit status is its
//!    own (a crash is told apart from a failing test) and its output is
//!    never interleaved with another program's;
//! 3. [`libtest`] reads that one program's per-test lines.
//!
//! Graded tests are the lab's integration tests (`tests/*.rs`); the
//! lab's own unit tests in `src/` are scaffolding and are not built here.

pub mod build;
pub mod libtest;

use std::path::Path;
use std::process::Command;

use anyhow::Context;

use crate::labs::Lab;
pub use build::BuildFailure;
pub use libtest::{Outcome, TestCase};

/// Which code the lab is graded with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code<'a> {
    /// `src/exercise.rs`: the learner's code, or the shipped stub.
    Exercise,
    /// The reference solution (`--features solution`).
    Solution,
    /// A known wrong answer from the lab's `mistakes/` (`--features
    /// mistake`, with the file named in `WORKBOOK_MISTAKE`).
    Mistake(&'a Path),
}

/// What grading a lab with some code found.
#[derive(Debug)]
pub enum Run {
    /// The lab did not build, so no test ran.
    BuildFailed(BuildFailure),
    /// Every graded test program that ran, in cargo's order.
    Tested(Vec<Program>),
}

/// One graded test program (one `tests/*.rs` file) and what it reported.
#[derive(Debug, Default)]
pub struct Program {
    /// `tests/graded.rs`, relative to the lab.
    pub target: String,
    /// The N of libtest's `running N tests`.
    pub planned: usize,
    pub tests: Vec<TestCase>,
    /// Set when the program died before reporting every test (an abort, a
    /// stack overflow, `process::exit`), with how it ended.
    pub crash: Option<String>,
}

impl Run {
    /// Every test of every program, with the program it belongs to.
    pub fn tests(&self) -> impl Iterator<Item = (&Program, &TestCase)> {
        let programs: &[Program] = match self {
            Run::Tested(programs) => programs,
            Run::BuildFailed(_) => &[],
        };
        programs
            .iter()
            .flat_map(|p| p.tests.iter().map(move |t| (p, t)))
    }

    /// The test called `name` (as libtest names it: `classify::x`).
    pub fn test(&self, name: &str) -> Option<&TestCase> {
        self.tests().map(|(_, t)| t).find(|t| t.name == name)
    }
}

/// The command a learner would type for the same grading.
pub fn command_line(lab: &Lab) -> String {
    format!("cargo test -p {}", lab.package())
}

/// Builds and runs the graded tests of `lab` in the workspace at `root`.
/// An `Err` means a program could not be started at all (no cargo); a
/// failing build or failing tests are an `Ok(Run)` that says so.
pub fn grade(root: &Path, lab: &Lab, code: Code) -> anyhow::Result<Run> {
    let programs = match build::graded_programs(root, lab, code)? {
        Ok(programs) => programs,
        Err(failure) => return Ok(Run::BuildFailed(failure)),
    };
    let mut ran = Vec::new();
    for program in programs {
        ran.push(run_program(lab, &program)?);
    }
    Ok(Run::Tested(ran))
}

fn run_program(lab: &Lab, program: &build::Built) -> anyhow::Result<Program> {
    let output = Command::new(&program.executable)
        .args(["--color", "never"])
        // Cargo runs integration tests from the package's directory.
        .current_dir(&lab.dir)
        // The message is what the learner needs, not a backtrace per panic.
        .env("RUST_BACKTRACE", "0")
        .output()
        .with_context(|| format!("cannot run {}", program.executable.display()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = libtest::parse(&stdout);

    // libtest exits 0 when every test passed and 101 when some failed.
    // Anything else, or a missing `test result:` line, is a crash.
    let normal_exit = matches!(output.status.code(), Some(0) | Some(101));
    let crash = if report.finished && normal_exit {
        None
    } else {
        Some(format!(
            "the test program stopped after reporting {} of {} tests ({})",
            report.tests.len(),
            report.planned,
            describe_exit(&output.status)
        ))
    };
    Ok(Program {
        target: program.target.clone(),
        planned: report.planned,
        tests: report.tests,
        crash,
    })
}

/// `killed by signal 6 (SIGABRT)` or `exit status 3`.
fn describe_exit(status: &std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(signal) = status.signal() {
            let name = match signal {
                6 => " (SIGABRT)",
                9 => " (SIGKILL)",
                11 => " (SIGSEGV)",
                15 => " (SIGTERM)",
                _ => "",
            };
            return format!("killed by signal {signal}{name}");
        }
    }
    status.to_string()
}
