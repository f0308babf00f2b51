//! Reading what `cargo test` printed.
//!
//! Grading means knowing, per test, whether it passed and, if not, what it
//! said. The stable way to get that is libtest's ordinary human output (its
//! JSON format is still nightly-only). That output is split across two
//! streams, and both matter:
//!
//! * **stdout** (from each test binary): `running N tests`, one
//!   `test NAME ... ok|FAILED|ignored` line per test, then for each failure a
//!   `---- NAME stdout ----` section with what the test printed and its panic
//!   message, and finally `test result: …`.
//! * **stderr** (from cargo): `Running tests/x.rs (target/…)` before each
//!   binary, which tells graded integration tests apart from a lab's own unit
//!   tests; compile errors; and `process didn't exit successfully` when a test
//!   binary crashed instead of reporting.
//!
//! Cargo runs the binaries one after another, so the n-th `running N tests`
//! on stdout belongs to the n-th `Running …` on stderr.
//!
//! The unit tests below parse output captured from a real `cargo test` run
//! (`tests/fixtures/libtest-*`), so a format change shows up there first.

/// Everything one `cargo test` invocation told us.
#[derive(Debug, Default)]
pub struct Run {
    /// One entry per test binary that started, in the order cargo ran them.
    pub binaries: Vec<Binary>,
    /// Set when cargo failed before running any test binary.
    pub build_failure: Option<BuildFailure>,
}

#[derive(Debug)]
pub struct BuildFailure {
    /// True for a compile error (as opposed to, say, an unknown package).
    pub compile_error: bool,
    /// The first error from cargo/rustc, a few lines, ready to print.
    pub excerpt: String,
}

#[derive(Debug, Default)]
pub struct Binary {
    /// What cargo said it was running: `tests/static_paths.rs`,
    /// `unittests src/lib.rs`; empty when it could not be matched up.
    pub target: String,
    /// The N of `running N tests`.
    pub planned: usize,
    pub tests: Vec<TestCase>,
    /// Set when the binary stopped before its `test result:` line, i.e. the
    /// process died (abort, stack overflow, `process::exit`) mid-run.
    pub crash: Option<String>,
}

impl Binary {
    /// Graded tests are exactly the integration tests in `tests/`. A lab's
    /// own unit tests (in `src/`) are scaffolding and do not count. When
    /// the target is unknown we count it: better to grade too much than to
    /// silently grade nothing.
    pub fn is_graded(&self) -> bool {
        self.target.is_empty()
            || self.target.starts_with("tests/")
            || self.target.starts_with("tests\\")
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TestCase {
    /// The test's path inside its binary, e.g. `static_paths::rejects_dotdot`.
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

impl Run {
    /// The graded binaries (those built from `tests/*.rs`).
    pub fn graded(&self) -> impl Iterator<Item = &Binary> {
        self.binaries.iter().filter(|b| b.is_graded())
    }
}

/// Parses a finished `cargo test` run. `success` is cargo's exit status; it
/// only matters when no test binary ran, to tell a broken build from a lab
/// that simply has no tests.
pub fn parse(stdout: &str, stderr: &str, success: bool) -> Run {
    let mut binaries = parse_stdout(stdout);
    let targets = parse_stderr(stderr);

    // Pair binaries with cargo's `Running` lines. If the counts disagree
    // (a binary died before printing `running N tests`), pairing would be
    // a guess, so leave the targets unknown and grade everything.
    if targets.len() == binaries.len() {
        for (binary, target) in binaries.iter_mut().zip(&targets) {
            binary.target = target.target.clone();
            if binary.crash.is_some() {
                if let Some(reason) = &target.crash {
                    binary.crash = Some(reason.clone());
                }
            }
        }
    }

    let build_failure = (binaries.is_empty() && !success).then(|| BuildFailure {
        compile_error: stderr.contains("could not compile"),
        excerpt: first_error(stderr),
    });
    Run {
        binaries,
        build_failure,
    }
}

fn parse_stdout(stdout: &str) -> Vec<Binary> {
    let mut binaries: Vec<Binary> = Vec::new();
    let mut finished: Vec<bool> = Vec::new();
    // The `---- NAME stdout ----` section being read: (test name, lines).
    let mut section: Option<(String, Vec<&str>)> = None;

    for line in stdout.lines() {
        if let Some(planned) = running_line(line) {
            flush(&mut binaries, &mut section);
            binaries.push(Binary {
                planned,
                ..Binary::default()
            });
            finished.push(false);
            continue;
        }
        if binaries.is_empty() {
            continue; // cargo's own chatter before the first binary
        }
        if line.starts_with("test result: ") {
            flush(&mut binaries, &mut section);
            if let Some(done) = finished.last_mut() {
                *done = true;
            }
            continue;
        }
        if let Some(name) = section_header(line) {
            flush(&mut binaries, &mut section);
            section = Some((name.to_string(), Vec::new()));
            continue;
        }
        if let Some((_, lines)) = &mut section {
            // After the sections, libtest repeats the failing names under a
            // second `failures:` heading; that ends the last section.
            if line == "failures:" {
                flush(&mut binaries, &mut section);
            } else {
                lines.push(line);
            }
            continue;
        }
        if let (Some((name, outcome)), Some(binary)) = (result_line(line), binaries.last_mut()) {
            binary.tests.push(TestCase {
                name: name.to_string(),
                outcome,
                failure: None,
            });
        }
    }
    flush(&mut binaries, &mut section);

    for (binary, done) in binaries.iter_mut().zip(finished) {
        if !done {
            binary.crash = Some(format!(
                "the test process stopped after reporting {} of {} tests",
                binary.tests.len(),
                binary.planned
            ));
        }
    }
    binaries
}

/// Attaches a finished failure section to its test in the current binary.
fn flush(binaries: &mut [Binary], section: &mut Option<(String, Vec<&str>)>) {
    let Some((name, lines)) = section.take() else {
        return;
    };
    let Some(binary) = binaries.last_mut() else {
        return;
    };
    let failure = failure_from_section(&name, &lines);
    match binary.tests.iter_mut().find(|t| t.name == name) {
        Some(test) => test.failure = Some(failure),
        // A section for a test with no result line should not happen; keep
        // it rather than lose the message.
        None => binary.tests.push(TestCase {
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

/// What cargo's stderr says about one test binary.
#[derive(Debug, Default, PartialEq, Eq)]
struct Target {
    /// `tests/static_paths.rs` or `unittests src/lib.rs`.
    target: String,
    /// `process didn't exit successfully: … (signal: 6, SIGABRT…)`.
    crash: Option<String>,
}

fn parse_stderr(stderr: &str) -> Vec<Target> {
    let mut targets: Vec<Target> = Vec::new();
    for line in stderr.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("Running ") {
            // `Running tests/x.rs (target/debug/deps/x-hash)`
            let target = rest.rsplit_once(" (").map_or(rest, |(t, _)| t);
            targets.push(Target {
                target: target.to_string(),
                crash: None,
            });
        } else if line.starts_with("process didn't exit successfully") {
            if let Some(current) = targets.last_mut() {
                current.crash = Some(line.to_string());
            }
        }
    }
    targets
}

/// The first error block of a failed build: from the first line starting
/// with `error` to the blank line that ends it, at most 20 lines. That is
/// the error to fix first; the rest are often consequences.
fn first_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().collect();
    match lines.iter().position(|l| l.starts_with("error")) {
        Some(start) => {
            let block: Vec<&str> = lines[start..]
                .iter()
                .take_while(|l| !l.trim().is_empty())
                .take(20)
                .copied()
                .collect();
            tidy(&block)
        }
        None => {
            let tail: Vec<&str> = lines
                .iter()
                .filter(|l| !l.trim().is_empty())
                .copied()
                .collect();
            tidy(&tail[tail.len().saturating_sub(10)..])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Captured from `RUST_BACKTRACE=0 cargo test --tests --no-fail-fast
    // --color never` on a sample crate: a lib with one unit test, and two
    // integration test files covering ok, FAILED, ignored, should_panic,
    // todo!(), a panic in a spawned thread, printed output and a test that
    // returns Err.
    const MIXED_OUT: &str = include_str!("../tests/fixtures/libtest-mixed.stdout");
    const MIXED_ERR: &str = include_str!("../tests/fixtures/libtest-mixed.stderr");
    // The same run with RUST_BACKTRACE=1 in the environment.
    const BT_OUT: &str = include_str!("../tests/fixtures/libtest-mixed_backtrace.stdout");
    const BT_ERR: &str = include_str!("../tests/fixtures/libtest-mixed_backtrace.stderr");
    const COMPILE_OUT: &str = include_str!("../tests/fixtures/libtest-compile_error.stdout");
    const COMPILE_ERR: &str = include_str!("../tests/fixtures/libtest-compile_error.stderr");
    // A test binary that calls process::abort() in its second test.
    const CRASH_OUT: &str = include_str!("../tests/fixtures/libtest-crash.stdout");
    const CRASH_ERR: &str = include_str!("../tests/fixtures/libtest-crash.stderr");

    fn test<'a>(binary: &'a Binary, name: &str) -> &'a TestCase {
        binary
            .tests
            .iter()
            .find(|t| t.name == name)
            .unwrap_or_else(|| panic!("no test {name} in {:?}", binary.tests))
    }

    fn message<'a>(binary: &'a Binary, name: &str) -> &'a str {
        &test(binary, name)
            .failure
            .as_ref()
            .expect("a failure")
            .message
    }

    #[test]
    fn pairs_binaries_with_cargo_targets() {
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        assert!(run.build_failure.is_none());
        let targets: Vec<&str> = run.binaries.iter().map(|b| b.target.as_str()).collect();
        assert_eq!(
            targets,
            [
                "unittests src/lib.rs",
                "tests/other.rs",
                "tests/static_paths.rs"
            ]
        );
        let graded: Vec<&str> = run.graded().map(|b| b.target.as_str()).collect();
        assert_eq!(graded, ["tests/other.rs", "tests/static_paths.rs"]);
        assert!(run.binaries.iter().all(|b| b.crash.is_none()));
    }

    #[test]
    fn reads_every_result_line() {
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        let paths = &run.binaries[2];
        assert_eq!(paths.planned, 7);
        assert_eq!(paths.tests.len(), 7);
        assert_eq!(test(paths, "passes").outcome, Outcome::Passed);
        assert_eq!(test(paths, "should_panic_ok").outcome, Outcome::Passed);
        assert_eq!(test(paths, "ignored_one").outcome, Outcome::Ignored);
        assert_eq!(test(paths, "calls_todo").outcome, Outcome::Failed);
        assert_eq!(
            test(paths, "nested::prints_then_fails").outcome,
            Outcome::Failed
        );
        assert!(test(paths, "passes").failure.is_none());
    }

    #[test]
    fn keeps_the_assertion_message_written_for_the_learner() {
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        let paths = &run.binaries[2];
        assert_eq!(
            message(paths, "assert_with_message"),
            "assertion `left == right` failed: GET /index.html: expected 200, got 404.\n\
             Reread section 1.3 \"Safe paths\".\n  left: 404\n right: 200"
        );
        let failure = test(paths, "assert_with_message").failure.clone().unwrap();
        assert_eq!(
            failure.location.as_deref(),
            Some("tests/static_paths.rs:10:5")
        );
    }

    #[test]
    fn todo_message_points_at_the_exercise() {
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        let failure = test(&run.binaries[2], "calls_todo")
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
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        assert_eq!(
            message(&run.binaries[2], "spawned_thread_panics_then_test_fails"),
            "the server thread died: expected a response, got a closed connection (section 1.4)"
        );
    }

    #[test]
    fn skips_printed_output_and_keeps_multiline_messages() {
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        assert_eq!(
            message(&run.binaries[2], "nested::prints_then_fails"),
            "nested failure\nsecond line"
        );
    }

    #[test]
    fn a_test_returning_err_shows_what_it_printed() {
        let run = parse(MIXED_OUT, MIXED_ERR, false);
        let other = &run.binaries[1];
        assert_eq!(test(other, "returns_err").outcome, Outcome::Failed);
        assert_eq!(
            message(other, "returns_err"),
            "Error: \"bad thing happened\""
        );
    }

    #[test]
    fn backtraces_are_cut_from_messages() {
        let run = parse(BT_OUT, BT_ERR, false);
        let paths = &run.binaries[2];
        assert_eq!(
            message(paths, "calls_todo"),
            "not yet implemented: resolve: see section 1.2"
        );
        assert_eq!(
            message(paths, "spawned_thread_panics_then_test_fails"),
            "the server thread died: expected a response, got a closed connection (section 1.4)"
        );
        assert!(message(paths, "assert_with_message").ends_with(" right: 200"));
    }

    #[test]
    fn a_compile_error_is_a_build_failure_with_the_first_error() {
        let run = parse(COMPILE_OUT, COMPILE_ERR, false);
        assert!(run.binaries.is_empty());
        let failure = run.build_failure.expect("a build failure");
        assert!(failure.compile_error);
        assert!(
            failure
                .excerpt
                .starts_with("error[E0308]: mismatched types\n --> src/lib.rs:1:45"),
            "{}",
            failure.excerpt
        );
        assert!(!failure.excerpt.contains("For more information"));
    }

    #[test]
    fn a_crashed_test_binary_is_reported_with_cargos_reason() {
        let run = parse(CRASH_OUT, CRASH_ERR, false);
        let other = &run.binaries[1];
        assert_eq!(other.target, "tests/other.rs");
        assert_eq!(other.planned, 2);
        assert_eq!(test(other, "passes").outcome, Outcome::Passed);
        let crash = other.crash.as_deref().expect("a crash");
        assert!(crash.contains("SIGABRT"), "{crash}");
        // The binary after it ran normally.
        assert!(run.binaries[2].crash.is_none());
        assert_eq!(run.binaries[2].tests.len(), 7);
    }

    #[test]
    fn no_tests_and_success_is_not_a_build_failure() {
        let run = parse("", "    Finished `test` profile\n", true);
        assert!(run.binaries.is_empty());
        assert!(run.build_failure.is_none());
    }

    #[test]
    fn other_cargo_errors_are_build_failures_but_not_compile_errors() {
        let err = "error: package ID specification `lab-9` did not match any packages\n";
        let failure = parse("", err, false).build_failure.unwrap();
        assert!(!failure.compile_error);
        assert_eq!(failure.excerpt, err.trim_end());
    }
}
