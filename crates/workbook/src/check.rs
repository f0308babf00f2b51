//! `workbook check [N]`: grade the labs and print a scoreboard.
//!
//! Per lab, one line with the score, and for the first failing test its name
//! and its message. Only the *first* failure is shown on purpose: the graded
//! tests are written so their messages say what was expected, what came
//! back and which section to reread, and one such message is something to
//! act on, while twenty are noise. "First" is by file and test name, so it
//! stays the same from run to run while the learner works through them.

use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::cargo_test::{self, Code};
use crate::invocation;
use crate::labs::{self, Lab};
use crate::libtest::{Outcome, Run};

/// The result of grading one lab.
#[derive(Debug)]
pub struct Grade {
    pub lab: Lab,
    pub outcome: GradeOutcome,
}

#[derive(Debug)]
pub enum GradeOutcome {
    /// Cargo stopped before any test ran (most often: a compile error).
    BuildFailed {
        compile_error: bool,
        excerpt: String,
    },
    Tested {
        passed: usize,
        total: usize,
        first_failure: Option<FirstFailure>,
    },
}

#[derive(Debug, PartialEq, Eq)]
pub struct FirstFailure {
    /// `name (tests/file.rs)`.
    pub test: String,
    pub message: String,
    pub location: Option<String>,
}

impl Grade {
    /// A lab passes when it has graded tests and every one of them passed.
    pub fn passed(&self) -> bool {
        matches!(self.outcome, GradeOutcome::Tested { passed, total, .. } if total > 0 && passed == total)
    }
}

pub fn run(root: &Path, lab: Option<u32>) -> anyhow::Result<ExitCode> {
    let labs = labs::select(root, lab)?;
    let all_passed = grade_and_print(root, &labs)?;
    Ok(if all_passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Grades each lab in turn, printing each score as soon as it is known (a
/// cold build is slow; the learner should not wait for all labs to see the
/// first). Returns whether every lab passed. Shared with `watch`.
pub fn grade_and_print(root: &Path, labs: &[Lab]) -> anyhow::Result<bool> {
    let mut passing = 0;
    for lab in labs {
        // The note about slow first builds is worth reading once, not after
        // every save in `watch`.
        static NOTED: AtomicBool = AtomicBool::new(false);
        let note = if NOTED.swap(true, Ordering::Relaxed) {
            ""
        } else {
            " (a first run builds the dependencies: allow a minute)"
        };
        eprintln!(
            "Grading {lab}: cargo {}{note}",
            cargo_test::args(lab, Code::Exercise).join(" ")
        );
        let run = cargo_test::run(root, lab, Code::Exercise)?;
        let grade = summarize(lab, &run);
        print!("{}", render(&grade));
        if grade.passed() {
            passing += 1;
        }
    }
    if labs.len() > 1 {
        println!("{passing} of {} labs pass.", labs.len());
    }
    Ok(passing == labs.len())
}

/// Turns a parsed `cargo test` run into a score.
pub fn summarize(lab: &Lab, run: &Run) -> Grade {
    if let Some(failure) = &run.build_failure {
        return Grade {
            lab: lab.clone(),
            outcome: GradeOutcome::BuildFailed {
                compile_error: failure.compile_error,
                excerpt: failure.excerpt.clone(),
            },
        };
    }
    let mut passed = 0;
    let mut total = 0;
    // (sort key, failure) for everything that did not pass.
    let mut problems: Vec<((String, String), FirstFailure)> = Vec::new();
    for binary in run.graded() {
        // A crashed binary never reported some tests; they count as not
        // passed, so the total stays honest.
        total += binary.planned.max(binary.tests.len());
        for test in &binary.tests {
            let shown = shown_name(&test.name, &binary.target);
            let key = (binary.target.clone(), test.name.clone());
            match test.outcome {
                Outcome::Passed => passed += 1,
                Outcome::Failed => {
                    let (message, location) = match &test.failure {
                        Some(f) => (f.message.clone(), f.location.clone()),
                        None => ("(the test printed no message)".to_string(), None),
                    };
                    problems.push((
                        key,
                        FirstFailure {
                            test: shown,
                            message,
                            location,
                        },
                    ));
                }
                Outcome::Ignored => problems.push((
                    key,
                    FirstFailure {
                        test: shown,
                        message: "this graded test is marked #[ignore], so it never ran; \
                                  remove the #[ignore] attribute"
                            .to_string(),
                        location: None,
                    },
                )),
            }
        }
        if let Some(crash) = &binary.crash {
            problems.push((
                (binary.target.clone(), String::new()),
                FirstFailure {
                    test: format!("the test program {}", or_unknown(&binary.target)),
                    message: format!("crashed before reporting every test: {crash}"),
                    location: None,
                },
            ));
        }
    }
    problems.sort_by(|a, b| a.0.cmp(&b.0));
    Grade {
        lab: lab.clone(),
        outcome: GradeOutcome::Tested {
            passed,
            total,
            first_failure: problems.into_iter().next().map(|(_, f)| f),
        },
    }
}

/// `rejects_dotdot (tests/static_paths.rs)`: the file tells the learner
/// where to look when two files have a test of the same name.
pub fn shown_name(test: &str, target: &str) -> String {
    if target.is_empty() {
        test.to_string()
    } else {
        format!("{test} ({target})")
    }
}

fn or_unknown(target: &str) -> &str {
    if target.is_empty() {
        "(unknown)"
    } else {
        target
    }
}

/// The scoreboard entry for one lab.
pub fn render(grade: &Grade) -> String {
    let lab = &grade.lab;
    let n = lab.number;
    let mut out = String::new();
    match &grade.outcome {
        GradeOutcome::BuildFailed {
            compile_error: true,
            excerpt,
        } => {
            out.push_str(&format!(
                "{lab} does not compile. The first error:\n{}\n",
                indent(excerpt, 4)
            ));
            out.push_str(&format!(
                "  Fix it in {}; run `cargo test -p {}` for the full compiler output.\n",
                lab.show("src/exercise.rs"),
                lab.package()
            ));
        }
        GradeOutcome::BuildFailed {
            compile_error: false,
            excerpt,
        } => {
            out.push_str(&format!(
                "{lab}: cargo test failed before running any test:\n{}\n",
                indent(excerpt, 4)
            ));
        }
        GradeOutcome::Tested { total: 0, .. } => {
            out.push_str(&format!(
                "{lab}: no graded tests ran (they live in {}).\n",
                lab.show("tests/")
            ));
        }
        GradeOutcome::Tested {
            passed,
            total,
            first_failure,
        } => {
            if passed == total {
                out.push_str(&format!(
                    "{lab}: all {total} graded tests pass. Well done!\n"
                ));
            } else {
                out.push_str(&format!("{lab}: {passed} of {total} graded tests pass.\n"));
            }
            if let Some(failure) = first_failure {
                out.push_str(&format!("  First failing test: {}\n", failure.test));
                out.push_str(&indent(&failure.message, 4));
                out.push('\n');
                if let Some(location) = &failure.location {
                    out.push_str(&format!("    (panicked at {location})\n"));
                }
                out.push_str(&format!(
                    "  Stuck? `{}` shows a hint. Only {} is yours to edit.\n",
                    invocation::suggest(&format!("hint {n}")),
                    lab.show("src/exercise.rs")
                ));
            }
        }
    }
    out
}

fn indent(text: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{pad}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::libtest;
    use std::path::PathBuf;

    const MIXED_OUT: &str = include_str!("../tests/fixtures/libtest-mixed.stdout");
    const MIXED_ERR: &str = include_str!("../tests/fixtures/libtest-mixed.stderr");
    const COMPILE_OUT: &str = include_str!("../tests/fixtures/libtest-compile_error.stdout");
    const COMPILE_ERR: &str = include_str!("../tests/fixtures/libtest-compile_error.stderr");

    fn lab1() -> Lab {
        Lab {
            number: 1,
            dir: PathBuf::from("/w/labs/lab-1"),
        }
    }

    #[test]
    fn scores_only_graded_tests_and_picks_the_first_failure_by_name() {
        let run = libtest::parse(MIXED_OUT, MIXED_ERR, false);
        let grade = summarize(&lab1(), &run);
        let GradeOutcome::Tested {
            passed,
            total,
            first_failure,
        } = &grade.outcome
        else {
            panic!("{grade:?}")
        };
        // tests/other.rs: 2, tests/static_paths.rs: 7; the unit test in
        // src/lib.rs is not graded.
        assert_eq!((*passed, *total), (3, 9));
        let first = first_failure.as_ref().unwrap();
        assert_eq!(first.test, "returns_err (tests/other.rs)");
        assert!(!grade.passed());

        let text = render(&grade);
        assert!(
            text.starts_with("lab 1: 3 of 9 graded tests pass.\n"),
            "{text}"
        );
        assert!(text.contains("  First failing test: returns_err (tests/other.rs)\n    Error: \"bad thing happened\"\n"), "{text}");
        assert!(text.contains(&invocation::suggest("hint 1")), "{text}");
    }

    #[test]
    fn a_compile_error_is_reported_as_such() {
        let run = libtest::parse(COMPILE_OUT, COMPILE_ERR, false);
        let text = render(&summarize(&lab1(), &run));
        assert!(
            text.starts_with(
                "lab 1 does not compile. The first error:\n    error[E0308]: mismatched types\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn all_passing() {
        let out = "\nrunning 2 tests\ntest a ... ok\ntest b ... ok\n\ntest result: ok. 2 passed; 0 failed\n";
        let err = "     Running tests/a.rs (target/debug/deps/a-1)\n";
        let grade = summarize(&lab1(), &libtest::parse(out, err, true));
        assert!(grade.passed());
        assert_eq!(
            render(&grade),
            "lab 1: all 2 graded tests pass. Well done!\n"
        );
    }

    #[test]
    fn no_graded_tests_is_not_a_pass() {
        let out = "\nrunning 1 test\ntest unit ... ok\n\ntest result: ok. 1 passed\n";
        let err = "     Running unittests src/lib.rs (target/debug/deps/lab_1-1)\n";
        let grade = summarize(&lab1(), &libtest::parse(out, err, true));
        assert!(!grade.passed());
        assert!(render(&grade).contains("no graded tests ran"));
    }
}
