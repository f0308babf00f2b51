//! Reading what one test program printed.
//!
//! A test program built by cargo is run by libtest, whose human output on
//! stdout is the stable way to learn, per test, whether it passed and, if
//! not, what it said (libtest's JSON output is still nightly-only):
//! `running N tests`, one `test NAME ... ok|FAILED|ignored` line per test,
//! then for each failure a `---- NAME stdout ----` section with what the
//! test printed and its panic message, and finally `test result: …`.
//!
//! One program's stdout at a time: the grader runs each program itself
//! (see `grading`), so nothing here pairs streams or guesses which program
//! printed what.
//!
//! The unit tests below parse output captured from real test programs
//! (`tests/fixtures/libtest-*.stdout`), so a format change shows up there
//! first.

/// What one test program reported.
#[derive(Debug, Default)]
pub struct Report {
    /// The N of `running N tests`.
    pub planned: usize,
    pub tests: Vec<TestCase>,
    /// Whether the program got as far as its `test result:` line. A program
    /// that died mid-run (abort, stack overflow, `process::exit`) did not.
    pub finished: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// The test's path inside its program, e.g. `resolve::rejects_dotdot`.
    pub name: String,
    pub outcome: Outcome,
    pub failure: Option<Failure>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed,
    Ignored,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The panic message (or, for a test returning `Err`, what it printed).
    pub message: String,
    /// `file:line:col` of that panic, when libtest said.
    pub location: Option<String>,
}

/// Parses the stdout of one test program.
pub fn parse(stdout: &str) -> Report {
    let mut report = Report::default();
    let mut started = false;
    // The `---- NAME stdout ----` section being read: (test name, lines).
    let mut section: Option<(String, Vec<&str>)> = None;

    for line in stdout.lines() {
        if !started {
            if let Some(planned) = running_line(line) {
                report.planned = planned;
                started = true;
            }
            continue;
        }
        if line.starts_with("test result: ") {
            flush(&mut report, &mut section);
            report.finished = true;
            break;
        }
        if let Some(name) = section_header(line) {
            flush(&mut report, &mut section);
            section = Some((name.to_string(), Vec::new()));
            continue;
        }
        if let Some((_, lines)) = &mut section {
            // After the sections, libtest repeats the failing names under a
            // second `failures:` heading; that ends the last section.
            if line == "failures:" {
                flush(&mut report, &mut section);
            } else {
                lines.push(line);
            }
            continue;
        }
        if let Some((name, outcome)) = result_line(line) {
            report.tests.push(TestCase {
                name: name.to_string(),
                outcome,
                failure: None,
            });
        }
    }
    flush(&mut report, &mut section);
    report
}

/// Attaches a finished failure section to its test.
fn flush(report: &mut Report, section: &mut Option<(String, Vec<&str>)>) {
    let Some((name, lines)) = section.take() else {
        return;
    };
    let failure = failure_from_section(&name, &lines);
    match report.tests.iter_mut().find(|t| t.name == name) {
        Some(test) => test.failure = Some(failure),
        // A section for a test with no result line should not happen; keep
        // it rather than lose the message.
        None => report.tests.push(TestCase {
            name,
            outcome: Outcome::Failed,
            failure: Some(failure),
        }),
    }
}

/// `running 3 tests` / `running 1 test` → 3 / 1.
fn running_line(line: &str) -> Option<usize> {
    let rest = line.strip_prefix("running ")?;
    let count = rest
        .strip_suffix(" tests")
        .or_else(|| rest.strip_suffix(" test"))?;
    count.parse().ok()
}

/// `---- static_paths::x stdout ----` → `static_paths::x`.
fn section_header(line: &str) -> Option<&str> {
    line.strip_prefix("---- ")?.strip_suffix(" stdout ----")
}

/// `test NAME ... ok`, `test NAME - should panic ... ok`,
/// `test NAME ... ignored, reason`, `test NAME ... FAILED`.
fn result_line(line: &str) -> Option<(&str, Outcome)> {
    let rest = line.strip_prefix("test ")?;
    let (name, status) = rest.rsplit_once(" ... ")?;
    let name = name.strip_suffix(" - should panic").unwrap_or(name);
    let outcome = match status.trim_end() {
        "ok" => Outcome::Passed,
        "FAILED" => Outcome::Failed,
        s if s.starts_with("ignored") => Outcome::Ignored,
        _ => return None, // e.g. benchmark lines
    };
    Some((name, outcome))
}

/// Picks the message that explains the failure out of a failure section.
///
/// A section can hold several panics: a lab's server task can hit `todo!()`
/// in its own thread, and then the test itself fails an assertion about the
/// broken response. The test's own panic (its thread is named after the
/// test) carries the message written for the learner, so it wins; failing
/// that, the last panic; failing that (a test that returned `Err`), whatever
/// the test printed.
fn failure_from_section(test: &str, lines: &[&str]) -> Failure {
    struct Panic<'a> {
        thread: &'a str,
        location: Option<String>,
        lines: Vec<&'a str>,
    }
    let mut panics: Vec<Panic> = Vec::new();
    for &line in lines {
        if let Some((thread, after)) = panic_header(line) {
            // Since Rust 1.73: `panicked at file:line:col:` with the message
            // on the following lines. Before: `panicked at 'msg', file:l:c`.
            let (location, first) = match after.strip_suffix(':') {
                Some(loc) => (Some(loc.to_string()), None),
                None => (None, Some(after)),
            };
            panics.push(Panic {
                thread,
                location,
                lines: first.into_iter().collect(),
            });
        } else if let Some(panic) = panics.last_mut() {
            panic.lines.push(line);
        }
    }
    let chosen = panics
        .iter()
        .rposition(|p| p.thread == test)
        .or(panics.len().checked_sub(1));
    match chosen {
        Some(i) => {
            let panic = &panics[i];
            let end = panic
                .lines
                .iter()
                .position(|l| is_panic_noise(l))
                .unwrap_or(panic.lines.len());
            Failure {
                message: tidy(&panic.lines[..end]),
                location: panic.location.clone(),
            }
        }
        None => Failure {
            message: tidy(lines),
            location: None,
        },
    }
}

/// `thread 'name' panicked at …` or, since Rust 1.91,
/// `thread 'name' (1234) panicked at …` → (`name`, `…`).
fn panic_header(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix("thread '")?;
    let (thread, rest) = rest.split_once('\'')?;
    let (_, after) = rest.split_once("panicked at ")?;
    Some((thread, after))
}

/// Lines libtest/std add after a panic message that are not about the test.
fn is_panic_noise(line: &str) -> bool {
    line.starts_with("stack backtrace:")
        || line.starts_with("note: run with `RUST_BACKTRACE")
        || line.starts_with("note: Some details are omitted")
}

/// Joins lines, dropping leading and trailing blank ones.
fn tidy(lines: &[&str]) -> String {
    let start = lines.iter().position(|l| !l.trim().is_empty());
    let end = lines.iter().rposition(|l| !l.trim().is_empty());
    match (start, end) {
        (Some(s), Some(e)) => lines[s..=e].join("\n"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from `RUST_BACKTRACE=0 cargo test --tests --no-fail-fast
    // --color never` on a sample crate: a lib with one unit test, and two
    // integration test programs covering ok, FAILED, ignored, should_panic,
    // todo!(), a panic in a spawned thread, printed output and a test that
    // returns Err. Each program's stdout is one `running N tests` block.
    const MIXED: &str = include_str!("../../tests/fixtures/libtest-mixed.stdout");
    // The same run with RUST_BACKTRACE=1 in the environment.
    const BACKTRACE: &str = include_str!("../../tests/fixtures/libtest-mixed_backtrace.stdout");
    // A run whose second program calls process::abort() in its second test.
    const CRASH: &str = include_str!("../../tests/fixtures/libtest-crash.stdout");

    /// The stdout of the `index`-th program in a captured `cargo test` run.
    fn program(stdout: &str, index: usize) -> Report {
        let mut chunks: Vec<String> = Vec::new();
        for line in stdout.lines() {
            if running_line(line).is_some() {
                chunks.push(String::new());
            }
            if let Some(chunk) = chunks.last_mut() {
                chunk.push_str(line);
                chunk.push('\n');
            }
        }
        parse(&chunks[index])
    }

    fn test<'a>(report: &'a Report, name: &str) -> &'a TestCase {
        report
            .tests
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no test {name} in {:?}", report.tests))
    }

    fn message<'a>(report: &'a Report, name: &str) -> &'a str {
        &test(report, name)
            .failure
            .as_ref()
            .expect("a failure")
            .message
    }

    #[test]
    fn reads_every_result_line() {
        let paths = program(MIXED, 2);
        assert!(paths.finished);
        assert_eq!(paths.planned, 7);
        assert_eq!(paths.tests.len(), 7);
        assert_eq!(test(&paths, "passes").outcome, Outcome::Passed);
        assert_eq!(test(&paths, "should_panic_ok").outcome, Outcome::Passed);
        assert_eq!(test(&paths, "ignored_one").outcome, Outcome::Ignored);
        assert_eq!(test(&paths, "calls_todo").outcome, Outcome::Failed);
        assert_eq!(
            test(&paths, "nested::prints_then_fails").outcome,
            Outcome::Failed
        );
        assert!(test(&paths, "passes").failure.is_none());
    }

    #[test]
    fn keeps_the_assertion_message_written_for_the_learner() {
        let paths = program(MIXED, 2);
        assert_eq!(
            message(&paths, "assert_with_message"),
            "assertion `left == right` failed: GET /index.html: expected 200, got 404.\n\
             Reread section 1.3 \"Safe paths\".\n  left: 404\n right: 200"
        );
        let failure = test(&paths, "assert_with_message").failure.clone().unwrap();
        assert_eq!(
            failure.location.as_deref(),
            Some("tests/static_paths.rs:10:5")
        );
    }

    #[test]
    fn todo_message_points_at_the_exercise() {
        let failure = test(&program(MIXED, 2), "calls_todo")
            .failure
            .clone()
            .unwrap();
        // The backtrace note is libtest's, not the test's: dropped.
        assert_eq!(
            failure.message,
            "not yet implemented: resolve: see section 1.2"
        );
        assert_eq!(failure.location.as_deref(), Some("src/lib.rs:1:56"));
    }

    #[test]
    fn prefers_the_test_threads_panic_over_a_helper_threads() {
        assert_eq!(
            message(&program(MIXED, 2), "spawned_thread_panics_then_test_fails"),
            "the server thread died: expected a response, got a closed connection (section 1.4)"
        );
    }

    #[test]
    fn skips_printed_output_and_keeps_multiline_messages() {
        assert_eq!(
            message(&program(MIXED, 2), "nested::prints_then_fails"),
            "nested failure\nsecond line"
        );
    }

    #[test]
    fn a_test_returning_err_shows_what_it_printed() {
        let other = program(MIXED, 1);
        assert_eq!(test(&other, "returns_err").outcome, Outcome::Failed);
        assert_eq!(
            message(&other, "returns_err"),
            "Error: \"bad thing happened\""
        );
    }

    #[test]
    fn backtraces_are_cut_from_messages() {
        let paths = program(BACKTRACE, 2);
        assert_eq!(
            message(&paths, "calls_todo"),
            "not yet implemented: resolve: see section 1.2"
        );
        assert_eq!(
            message(&paths, "spawned_thread_panics_then_test_fails"),
            "the server thread died: expected a response, got a closed connection (section 1.4)"
        );
        assert!(message(&paths, "assert_with_message").ends_with(" right: 200"));
    }

    #[test]
    fn a_program_that_died_mid_run_did_not_finish() {
        let other = program(CRASH, 1);
        assert_eq!(other.planned, 2);
        assert_eq!(test(&other, "passes").outcome, Outcome::Passed);
        assert!(!other.finished);
        // The program after it ran normally.
        let next = program(CRASH, 2);
        assert!(next.finished);
        assert_eq!(next.tests.len(), 7);
    }

    #[test]
    fn no_output_is_an_unfinished_program() {
        let report = parse("");
        assert!(!report.finished);
        assert!(report.tests.is_empty());
    }
}
