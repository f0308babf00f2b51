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

use clap::Args;

use crate::grading::{self, Code, Outcome, Run};
use crate::invocation;
use crate::labs::{self, Lab};
use crate::manifest::Manifest;
use crate::served;
use crate::state::{LastCheck, Outcome as Grade, State};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Lab number; all labs when omitted
    pub lab: Option<u32>,
}

/// The result of grading one lab, ready to print.
#[derive(Debug)]
pub enum Score {
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
    /// The test as libtest names it (`classify::x`).
    pub test: String,
    /// `classify::x (tests/graded.rs)`: the file tells the learner where to
    /// look when two files have a test of the same name.
    pub shown: String,
    pub message: String,
    pub location: Option<String>,
}

impl Score {
    /// A lab passes when it has graded tests and every one of them passed.
    pub fn passed(&self) -> bool {
        matches!(self, Score::Tested { passed, total, .. } if *total > 0 && passed == total)
    }
}

pub fn run(root: &Path, args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let labs = labs::select(root, args.lab)?;
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
        eprintln!("Grading {lab}, like `{}`{note}", grading::command_line(lab));
        let run = grading::grade(root, lab, Code::Exercise)?;
        let score = score(&run);
        // A missing or broken manifest costs the hint suggestion, not the grade.
        let manifest = Manifest::load(lab).ok();
        print!("{}", render(lab, manifest.as_ref(), &score));
        if score.passed() {
            passing += 1;
        }
        // The grade is kept, for the lab's page in the served book. Failing
        // to keep it costs that page its grade, never the grading itself.
        if let Err(err) = remember(root, lab, &last_check(&score, manifest.as_ref())) {
            eprintln!("warning: the grade is not shown in the book: {err:#}");
        }
    }
    if labs.len() > 1 {
        println!("{passing} of {} labs pass.", labs.len());
    }
    Ok(passing == labs.len())
}

/// What the state file keeps of a score.
pub fn last_check(score: &Score, manifest: Option<&Manifest>) -> LastCheck {
    let at = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (outcome, passed, total, first) = match score {
        Score::BuildFailed {
            compile_error: true,
            ..
        } => (Grade::CompileError, 0, 0, None),
        Score::BuildFailed { .. } => (Grade::BuildFailed, 0, 0, None),
        Score::Tested {
            passed,
            total,
            first_failure,
        } => {
            let outcome = if score.passed() {
                Grade::Passing
            } else {
                Grade::Failing
            };
            (outcome, *passed, *total, first_failure.as_ref())
        }
    };
    LastCheck {
        outcome,
        passed,
        total,
        first_failure: first.map(|f| f.shown.clone()),
        exercise: first
            .and_then(|f| manifest?.exercise_of_test(&f.test))
            .map(|exercise| exercise.name.clone()),
        at,
    }
}

/// Keeps `grade` in the progress file and refreshes the served book's copy.
fn remember(root: &Path, lab: &Lab, grade: &LastCheck) -> anyhow::Result<()> {
    let mut state = State::load(root)?;
    let mut progress = state.lab(lab);
    progress.last_check = Some(grade.clone());
    state.set_lab(lab, progress);
    state.save(root)?;
    served::refresh_progress(root, &state)
}

/// Turns a grading run into a score.
pub fn score(run: &Run) -> Score {
    let programs = match run {
        Run::BuildFailed(failure) => {
            return Score::BuildFailed {
                compile_error: failure.compile_error,
                excerpt: failure.excerpt.clone(),
            }
        }
        Run::Tested(programs) => programs,
    };
    let mut passed = 0;
    let mut total = 0;
    // (sort key, failure) for everything that did not pass.
    let mut problems: Vec<((String, String), FirstFailure)> = Vec::new();
    for program in programs {
        // A crashed program never reported some tests; they count as not
        // passed, so the total stays honest.
        total += program.planned.max(program.tests.len());
        for test in &program.tests {
            let key = (program.target.clone(), test.name.clone());
            let (message, location) = match (test.outcome, &test.failure) {
                (Outcome::Passed, _) => {
                    passed += 1;
                    continue;
                }
                (Outcome::Failed, Some(f)) => (f.message.clone(), f.location.clone()),
                (Outcome::Failed, None) => ("(the test printed no message)".to_string(), None),
                (Outcome::Ignored, _) => (
                    "this graded test is marked #[ignore], so it never ran; \
                     remove the #[ignore] attribute"
                        .to_string(),
                    None,
                ),
            };
            problems.push((
                key,
                FirstFailure {
                    test: test.name.clone(),
                    shown: format!("{} ({})", test.name, program.target),
                    message,
                    location,
                },
            ));
        }
        if let Some(crash) = &program.crash {
            problems.push((
                (program.target.clone(), String::new()),
                FirstFailure {
                    test: String::new(),
                    shown: format!("the test program {}", program.target),
                    message: format!("crashed before reporting every test: {crash}"),
                    location: None,
                },
            ));
        }
    }
    problems.sort_by(|a, b| a.0.cmp(&b.0));
    Score::Tested {
        passed,
        total,
        first_failure: problems.into_iter().next().map(|(_, f)| f),
    }
}

/// The scoreboard entry for one lab. With the manifest, the hint suggested
/// is the one for the exercise the first failing test is about.
pub fn render(lab: &Lab, manifest: Option<&Manifest>, score: &Score) -> String {
    let mut out = String::new();
    match score {
        Score::BuildFailed {
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
        Score::BuildFailed {
            compile_error: false,
            excerpt,
        } => {
            out.push_str(&format!(
                "{lab}: cargo failed before running any test:\n{}\n",
                indent(excerpt, 4)
            ));
        }
        Score::Tested { total: 0, .. } => {
            out.push_str(&format!(
                "{lab}: no graded tests ran (they live in {}).\n",
                lab.show("tests/")
            ));
        }
        Score::Tested {
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
                out.push_str(&format!("  First failing test: {}\n", failure.shown));
                out.push_str(&indent(&failure.message, 4));
                out.push('\n');
                if let Some(location) = &failure.location {
                    out.push_str(&format!("    (panicked at {location})\n"));
                }
                let exercise = manifest.and_then(|m| m.exercise_of_test(&failure.test));
                let hint = match exercise {
                    Some(exercise) => format!("hint {} {}", lab.number, exercise.name),
                    None => format!("hint {}", lab.number),
                };
                out.push_str(&format!(
                    "  Stuck? `{}` shows a hint. Only {} is yours to edit.\n",
                    invocation::suggest(&hint),
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
    use crate::grading::libtest::Failure;
    use crate::grading::{BuildFailure, Program, TestCase};
    use std::path::PathBuf;

    fn lab1() -> Lab {
        Lab {
            number: 1,
            dir: PathBuf::from("/w/labs/lab-1"),
        }
    }

    fn case(name: &str, outcome: Outcome, message: Option<&str>) -> TestCase {
        TestCase {
            name: name.into(),
            outcome,
            failure: message.map(|m| Failure {
                message: m.into(),
                location: Some("tests/graded/x.rs:3:5".into()),
            }),
        }
    }

    fn tested(tests: Vec<TestCase>) -> Run {
        Run::Tested(vec![Program {
            target: "tests/graded.rs".into(),
            planned: tests.len(),
            tests,
            crash: None,
        }])
    }

    fn manifest() -> Manifest {
        Manifest::parse(
            "title = \"t\"\nchapter = 1\npage = \"p.md\"\n\
             [[exercise]]\nname = \"resolve\"\nsection = \"S\"\n",
        )
        .unwrap()
    }

    #[test]
    fn picks_the_first_failure_by_name_and_suggests_its_exercises_hint() {
        let run = tested(vec![
            case("resolve::b", Outcome::Failed, Some("second")),
            case("classify::a", Outcome::Passed, None),
            case("resolve::a", Outcome::Failed, Some("first")),
        ]);
        let score = score(&run);
        assert!(!score.passed());
        let text = render(&lab1(), Some(&manifest()), &score);
        assert!(
            text.starts_with(
                "lab 1: 1 of 3 graded tests pass.\n  \
                 First failing test: resolve::a (tests/graded.rs)\n    first\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(&invocation::suggest("hint 1 resolve")),
            "{text}"
        );
    }

    #[test]
    fn a_crashed_program_counts_what_it_never_reported() {
        let run = Run::Tested(vec![Program {
            target: "tests/graded.rs".into(),
            planned: 3,
            tests: vec![case("a", Outcome::Passed, None)],
            crash: Some("killed by signal 6 (SIGABRT)".into()),
        }]);
        let text = render(&lab1(), None, &score(&run));
        assert!(
            text.starts_with("lab 1: 1 of 3 graded tests pass."),
            "{text}"
        );
        assert!(text.contains("crashed before reporting every test: killed by signal 6"));
    }

    #[test]
    fn a_compile_error_is_reported_as_such() {
        let run = Run::BuildFailed(BuildFailure {
            compile_error: true,
            excerpt: "error[E0308]: mismatched types".into(),
        });
        let text = render(&lab1(), None, &score(&run));
        assert!(
            text.starts_with(
                "lab 1 does not compile. The first error:\n    error[E0308]: mismatched types\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn all_passing() {
        let score = score(&tested(vec![
            case("a", Outcome::Passed, None),
            case("b", Outcome::Passed, None),
        ]));
        assert!(score.passed());
        assert_eq!(
            render(&lab1(), None, &score),
            "lab 1: all 2 graded tests pass. Well done!\n"
        );
    }

    #[test]
    fn no_graded_tests_is_not_a_pass() {
        let score = score(&Run::Tested(vec![]));
        assert!(!score.passed());
        assert!(render(&lab1(), None, &score).contains("no graded tests ran"));
    }
}
