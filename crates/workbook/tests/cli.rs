//! The `workbook` binary, driven the way a learner drives it.
//!
//! Each test builds a small fake workspace in a temp dir (a workspace
//! manifest and one lab with its exercise, stub and hints) and points the
//! CLI at it with `--root`, `WORKBOOK_ROOT` or the current directory. Only
//! one runs a nested `cargo test` (a dependency-free lab, built in about a
//! second) to prove `verify` fails on a test that passes on the stub; the
//! rest of grading is covered by the parser's unit tests on captured output,
//! and `workbook verify` runs on the real labs in CI.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use predicates::prelude::*;
use predicates::str::contains;
use testkit::process::{Process, Signal, Stream};

const STUB: &str = "/// Resolve a URL path under the site root. Section 1.2.\n\
                    pub fn resolve(path: &str) -> Option<String> {\n    \
                    todo!(\"resolve: see section 1.2\")\n}\n";

const LAB_TOML: &str = r#"
title = "Test lab"
chapter = 1
page = "ch01-test.md"

[[exercise]]
name = "resolve"
section = "Safe paths"
hints = ["Look at one path segment at a time.", "A '..' segment must never climb above the root."]

[[exercise]]
name = "classify"
section = "Static or dynamic?"
hints = ["Anything under /app/ goes to the application server."]
"#;

/// A throwaway workspace with lab 1 in its shipped state.
struct Workspace {
    dir: tempfile::TempDir,
}

impl Workspace {
    fn new() -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nresolver = \"2\"\nmembers = [\"labs/*\"]\n",
        )
        .unwrap();
        let lab = root.join("labs/lab-1");
        for sub in ["src", "stub", "tests"] {
            fs::create_dir_all(lab.join(sub)).unwrap();
        }
        fs::write(
            lab.join("Cargo.toml"),
            "[package]\nname = \"lab-1\"\nversion = \"0.1.0\"\n",
        )
        .unwrap();
        fs::write(lab.join("src/exercise.rs"), STUB).unwrap();
        fs::write(lab.join("stub/exercise.rs"), STUB).unwrap();
        fs::write(lab.join("lab.toml"), LAB_TOML).unwrap();
        Workspace { dir }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    /// Adds a one-page book, as `book::build` expects it.
    fn with_book(self) -> Workspace {
        let root = self.root();
        fs::create_dir_all(root.join("book/src")).unwrap();
        fs::write(
            root.join("book.toml"),
            "[book]\ntitle = \"Test book\"\nsrc = \"book/src\"\n\n[build]\nbuild-dir = \"book/build\"\n",
        )
        .unwrap();
        fs::write(
            root.join("book/src/SUMMARY.md"),
            "# Summary\n\n[Welcome](welcome.md)\n",
        )
        .unwrap();
        fs::write(
            root.join("book/src/welcome.md"),
            "# Hello from the test book\n",
        )
        .unwrap();
        self
    }

    fn exercise(&self) -> PathBuf {
        self.root().join("labs/lab-1/src/exercise.rs")
    }

    /// `workbook --root <this workspace> args…`
    fn workbook(&self, args: &[&str]) -> Command {
        let mut cmd = workbook();
        cmd.arg("--root").arg(self.root()).args(args);
        cmd
    }
}

/// The binary, isolated from the environment of whoever runs the tests.
fn workbook() -> Command {
    let mut cmd = Command::cargo_bin("workbook").unwrap();
    cmd.env_remove("WORKBOOK_ROOT");
    // `cargo test` sets this, and it makes workbook suggest `cargo run`
    // commands (see `suggested_commands_match_cargo_run` below).
    cmd.env_remove("CARGO_PKG_NAME");
    cmd
}

#[test]
fn help_lists_every_command() {
    let mut assert = workbook().arg("--help").assert().success();
    for command in [
        "serve", "check", "hint", "watch", "reset", "prepare", "verify", "--root",
    ] {
        assert = assert.stdout(contains(command));
    }
}

#[test]
fn unknown_lab_is_one_clear_line() {
    let ws = Workspace::new();
    for args in [
        &["check", "7"][..],
        &["hint", "7"],
        &["reset", "7", "--yes"],
        &["watch", "7"],
        &["verify", "7"],
    ] {
        ws.workbook(args)
            .assert()
            .failure()
            .stderr("error: no lab 7: labs are 1\n");
    }
}

#[test]
fn a_missing_root_is_reported_not_guessed() {
    workbook()
        .args(["--root", "/definitely/not/here", "check"])
        .assert()
        .failure()
        .stderr(contains("--root /definitely/not/here: not a directory"));
}

#[test]
fn a_wrong_root_is_not_a_checkout() {
    let elsewhere = tempfile::tempdir().unwrap();
    workbook()
        .arg("--root")
        .arg(elsewhere.path())
        .arg("check")
        .assert()
        .failure()
        .stderr(contains("not a Deploy Workbook checkout"));
}

#[test]
fn hints_come_one_at_a_time_per_exercise_and_are_remembered() {
    let ws = Workspace::new();
    ws.workbook(&["hint", "1", "resolve", "--again"])
        .assert()
        .success()
        .stdout(contains("No hint shown yet for resolve"));

    ws.workbook(&["hint", "1", "resolve"])
        .assert()
        .success()
        .stdout(contains("Lab 1, resolve, hint 1 of 2"))
        .stdout(contains("Look at one path segment at a time."));
    // Another exercise's hints are counted apart.
    ws.workbook(&["hint", "1", "classify"])
        .assert()
        .success()
        .stdout(contains("Lab 1, classify, hint 1 of 1"))
        .stdout(contains("That is the last hint for classify."));
    ws.workbook(&["hint", "1", "resolve"])
        .assert()
        .success()
        .stdout(contains("resolve, hint 2 of 2"))
        .stdout(contains("must never climb above the root"));

    // --again reshows the last one and does not use up a hint.
    ws.workbook(&["hint", "1", "resolve", "--again"])
        .assert()
        .success()
        .stdout(contains("resolve, hint 2 of 2"));
    ws.workbook(&["hint", "1", "resolve"])
        .assert()
        .success()
        .stdout(contains("you have seen all 2 hints for resolve"));

    // Without an exercise, a lab with several lists them.
    ws.workbook(&["hint", "1"])
        .assert()
        .success()
        .stdout(contains("resolve      2 of 2 seen"))
        .stdout(contains("classify     1 of 1 seen"));

    let state = fs::read_to_string(ws.root().join(".workbook/state.toml")).unwrap();
    assert!(state.contains("classify = 1\nresolve = 2\n"), "{state}");
}

#[test]
fn an_unknown_exercise_names_those_there_are() {
    Workspace::new()
        .workbook(&["hint", "1", "route"])
        .assert()
        .failure()
        .stderr("error: no exercise `route` here: the exercises are resolve, classify\n");
}

#[test]
fn a_lab_without_a_manifest_says_so() {
    let ws = Workspace::new();
    fs::remove_file(ws.root().join("labs/lab-1/lab.toml")).unwrap();
    ws.workbook(&["hint", "1"])
        .assert()
        .failure()
        .stderr(contains("lab 1 has no manifest (labs/lab-1/lab.toml)"));
}

#[test]
fn a_broken_progress_file_is_not_overwritten() {
    let ws = Workspace::new();
    let state = ws.root().join(".workbook/state.toml");
    fs::create_dir_all(state.parent().unwrap()).unwrap();
    fs::write(&state, "this is = = not toml").unwrap();
    ws.workbook(&["hint", "1"])
        .assert()
        .failure()
        .stderr(contains("delete it to start over"));
    assert_eq!(fs::read_to_string(&state).unwrap(), "this is = = not toml");
}

#[test]
fn reset_yes_keeps_a_backup_restores_the_stub_and_clears_hints() {
    let ws = Workspace::new();
    ws.workbook(&["hint", "1", "resolve"]).assert().success();
    let mine = "pub fn resolve(_: &str) -> Option<String> { None }\n";
    fs::write(ws.exercise(), mine).unwrap();
    ws.workbook(&["reset", "1", "--yes"])
        .assert()
        .success()
        .stdout(contains("Your previous file is kept as "))
        .stdout(contains("lab-1-exercise-1.rs"))
        .stdout(contains(
            "Reset labs/lab-1/src/exercise.rs to the shipped stub, and cleared its hint progress.",
        ));
    assert_eq!(fs::read_to_string(ws.exercise()).unwrap(), STUB);
    let backup = ws.root().join(".workbook/backups/lab-1-exercise-1.rs");
    assert_eq!(fs::read_to_string(backup).unwrap(), mine);
    // Hints start over.
    ws.workbook(&["hint", "1", "resolve"])
        .assert()
        .success()
        .stdout(contains("resolve, hint 1 of 2"));
}

#[test]
fn reset_without_a_terminal_requires_yes_and_changes_nothing() {
    let ws = Workspace::new();
    let edited = "pub fn resolve(_: &str) -> Option<String> { None }\n";
    fs::write(ws.exercise(), edited).unwrap();
    ws.workbook(&["reset", "1"])
        .write_stdin("y\n") // a pipe is not a terminal, even one that says yes
        .assert()
        .failure()
        .stderr(contains("stdin is not a terminal"))
        .stderr(contains("workbook reset 1 --yes"));
    assert_eq!(fs::read_to_string(ws.exercise()).unwrap(), edited);
}

#[test]
fn reset_of_a_pristine_exercise_has_nothing_to_do() {
    let ws = Workspace::new();
    ws.workbook(&["reset", "1"])
        .write_stdin("")
        .assert()
        .success()
        .stdout(contains("already the shipped stub"));
}

#[test]
fn root_from_the_environment() {
    let ws = Workspace::new();
    workbook()
        .env("WORKBOOK_ROOT", ws.root())
        .args(["hint", "1", "resolve"])
        .assert()
        .success()
        .stdout(contains("hint 1 of 2"));
}

#[test]
fn root_from_the_current_directory() {
    let ws = Workspace::new();
    // From deep inside the lab, as a learner with an editor open would be.
    workbook()
        .current_dir(ws.root().join("labs/lab-1/src"))
        .args(["hint", "1", "resolve"])
        .assert()
        .success()
        .stdout(contains("hint 1 of 2"));
    assert!(ws.root().join(".workbook/state.toml").is_file());
}

#[test]
fn verify_refuses_an_edited_exercise() {
    let ws = Workspace::new();
    fs::write(ws.exercise(), "// my work in progress\n").unwrap();
    ws.workbook(&["verify"])
        .assert()
        .failure()
        .stdout(contains(
            "lab    graded tests  solution pass  stub fail  mistakes caught  sections found  violations",
        ))
        .stdout(contains(
            "lab-1: labs/lab-1/src/exercise.rs differs from labs/lab-1/stub/exercise.rs: \
             the exercise was edited, and verify proves the shipped stubs. \
             Run `workbook reset 1` or use a clean clone.",
        ));
}

#[test]
fn serve_on_a_busy_port_is_one_line_and_a_failure() {
    let ws = Workspace::new();
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let expected = format!("error: port {port} is busy: ");
    let suggestion = format!("; try --port {}\n", port + 1);
    // Both spellings: `serve --port` and the default command.
    for args in [
        vec!["serve".to_string(), "--port".into(), port.to_string()],
        vec!["--port".to_string(), port.to_string()],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        ws.workbook(&args)
            .assert()
            .failure()
            .stderr(predicate::str::starts_with(expected.clone()))
            .stderr(predicate::str::ends_with(suggestion.clone()))
            .stderr(predicate::function(|s: &str| s.lines().count() == 1));
    }
}

#[test]
fn suggested_commands_match_cargo_run() {
    // What `cargo run -p workbook -- reset 1` looks like from inside.
    let ws = Workspace::new();
    fs::write(ws.exercise(), "// edited\n").unwrap();
    ws.workbook(&["reset", "1"])
        .env("CARGO_PKG_NAME", "workbook")
        .write_stdin("")
        .assert()
        .failure()
        .stderr(contains("run `cargo run -p workbook -- reset 1 --yes`"));
}

#[test]
fn serve_flags_do_not_go_with_other_commands() {
    let ws = Workspace::new();
    ws.workbook(&["--port", "3001", "check", "1"])
        .assert()
        .code(2)
        .stderr(contains(
            "--port, --open and --instructor belong to `serve`",
        ));
}

#[test]
fn serve_without_a_book_is_one_clear_line() {
    let ws = Workspace::new(); // no book.toml
    ws.workbook(&["serve", "--port", "0"])
        .assert()
        .failure()
        .stderr(contains("error: cannot build the book: no book.toml at"))
        .stderr(predicate::function(|s: &str| s.lines().count() == 1));
}

/// `workbook serve --root <ws> --port 0` (port 0: the OS picks a free one).
fn serve_command(ws: &Workspace) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_workbook"));
    command
        .env_remove("WORKBOOK_ROOT")
        .arg("--root")
        .arg(ws.root())
        .args(["serve", "--port", "0"]);
    command
}

/// `Serving the book at http://ADDR/ (Ctrl-C to stop)` → `ADDR`, on loopback.
fn served_at(line: &str) -> String {
    let addr = line
        .strip_prefix("Serving the book at http://")
        .and_then(|rest| rest.strip_suffix("/ (Ctrl-C to stop)"))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    assert!(addr.starts_with("127.0.0.1:"), "{addr}");
    addr.to_string()
}

/// `GET /` over a plain TCP connection must answer the book's front page.
fn assert_serves_the_book(addr: &str) {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "GET / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("Hello from the test book"), "{response}");
}

#[test]
fn serve_builds_and_serves_the_book_on_loopback_until_interrupted() {
    let ws = Workspace::new().with_book();
    let mut server = Process::spawn(&mut serve_command(&ws));
    let line = server.wait_for_line_containing("Serving the book at");
    assert_serves_the_book(&served_at(&line));
    // Ctrl-C is a graceful stop, which exits 0.
    server.signal(Signal::Int);
    server.assert_success();
}

/// `workbook serve | head -1`: once head has its line and exits, every
/// write to stdout fails. The server must go on serving, and still stop
/// cleanly (its "Stopping" line goes into the closed pipe on the way).
#[test]
fn serve_keeps_serving_after_its_stdout_is_closed() {
    let ws = Workspace::new().with_book();
    let (mut server, mut head) = Process::spawn_piped_into(
        &mut serve_command(&ws),
        Stream::Stdout,
        std::process::Command::new("head").arg("-1"),
    );
    let line = head.wait_for_line_containing("Serving the book at");
    head.assert_success();
    let addr = served_at(&line);
    for _ in 0..3 {
        assert_serves_the_book(&addr);
    }
    server.signal(Signal::Int);
    server.assert_success();
}

/// The one test here that runs nested cargo builds for real: a tiny lab
/// with no dependencies (a second or two to build), whose tests include one
/// that passes on the stub, and whose shipped mistakes include one that no
/// test catches. verify must report both and fail.
#[test]
fn verify_fails_on_a_test_that_asserts_nothing_and_a_mistake_not_caught() {
    let ws = Workspace::new();
    let lab = ws.root().join("labs/lab-1");
    fs::write(
        lab.join("Cargo.toml"),
        "[package]\nname = \"lab-1\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [features]\nsolution = []\nmistake = []\n",
    )
    .unwrap();
    let stub = "pub fn double(x: u32) -> u32 {\n    let _ = x;\n    todo!(\"double it\")\n}\n";
    fs::write(lab.join("src/exercise.rs"), stub).unwrap();
    fs::write(lab.join("stub/exercise.rs"), stub).unwrap();
    fs::write(
        lab.join("src/lib.rs"),
        "#[cfg(not(any(feature = \"solution\", feature = \"mistake\")))]\nmod exercise;\n\
         #[cfg(all(feature = \"mistake\", not(feature = \"solution\")))]\n\
         mod exercise { include!(env!(\"WORKBOOK_MISTAKE\")); }\n\
         #[cfg(not(feature = \"solution\"))]\npub use exercise::double;\n\
         #[cfg(feature = \"solution\")]\npub fn double(x: u32) -> u32 { x * 2 }\n",
    )
    .unwrap();
    fs::create_dir_all(lab.join("mistakes")).unwrap();
    fs::write(
        lab.join("mistakes/triple.rs"),
        "pub fn double(x: u32) -> u32 { x * 3 }\n",
    )
    .unwrap();
    fs::write(
        lab.join("mistakes/plus_two.rs"),
        "pub fn double(x: u32) -> u32 { x + 2 }\n",
    )
    .unwrap();
    fs::write(
        lab.join("lab.toml"),
        "title = \"Doubling\"\nchapter = 1\npage = \"ch01-double.md\"\n\
         [[exercise]]\nname = \"double\"\nsection = \"Doubling\"\n\
         [[mistake]]\nfile = \"mistakes/triple.rs\"\ncaught_by = \"doubles\"\n\
         [[mistake]]\nfile = \"mistakes/plus_two.rs\"\ncaught_by = \"doubles\"\n",
    )
    .unwrap();
    // The graded failure names its section, as testkit's format does.
    fs::write(
        lab.join("tests/graded.rs"),
        "#[test]\nfn doubles() {\n    let got = std::panic::catch_unwind(|| lab_1::double(2));\n    \
         assert!(matches!(got, Ok(4)), \"\\n  reread:   chapter 1, \\\"Doubling\\\"\\n\");\n}\n\n\
         #[test]\nfn checks_nothing() { let _ = 1 + 1; }\n",
    )
    .unwrap();
    fs::create_dir_all(ws.root().join("book/src")).unwrap();
    fs::write(
        ws.root().join("book/src/ch01-double.md"),
        "# Chapter 1\n\n## Doubling\n\nThe lab: [double it](#doubling).\n",
    )
    .unwrap();

    ws.workbook(&["verify"])
        .timeout(Duration::from_secs(300))
        .assert()
        .failure()
        .stdout(contains(
            "checks_nothing (tests/graded.rs) passed on the shipped stub: it asserts nothing",
        ))
        .stdout(contains(
            "mistake labs/lab-1/mistakes/plus_two.rs passes doubles, which should catch it",
        ))
        .stdout(contains(
            "lab-1  2             2/2            1/2        1/2              1/1             2\n",
        ));
}

/// prepare runs the session's own commands: the lab as shipped and with its
/// solution, then the book. Afterwards the same commands compile nothing.
#[test]
fn prepare_builds_each_lab_both_ways_and_the_book() {
    let ws = Workspace::new().with_book();
    let lab = ws.root().join("labs/lab-1");
    fs::write(
        lab.join("Cargo.toml"),
        "[package]\nname = \"lab-1\"\nversion = \"0.1.0\"\nedition = \"2021\"\n\n\
         [features]\nsolution = []\n",
    )
    .unwrap();
    fs::write(lab.join("src/lib.rs"), "mod exercise;\n").unwrap();
    ws.workbook(&["prepare"])
        .timeout(Duration::from_secs(300))
        .assert()
        .success()
        .stdout(contains(
            "Preparing lab 1 as shipped: cargo test -p lab-1 --no-run\n",
        ))
        .stdout(contains(
            "Preparing lab 1 with its solution: cargo test -p lab-1 --no-run --features solution\n",
        ))
        .stdout(contains("Ready in"));
    assert!(ws.root().join("book/build/index.html").is_file());
    // Nothing left to compile for the learner's own command.
    let again = std::process::Command::new(env!("CARGO"))
        .args(["test", "-p", "lab-1", "--no-run", "-v"])
        .current_dir(ws.root())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(again.status.success(), "{stderr}");
    assert!(!stderr.contains("Compiling"), "{stderr}");
}

/// `check` keeps the grade (in `.workbook/state.toml`) and, for a book that
/// was built, writes it beside the pages, where the lab's page reads it.
#[test]
fn check_keeps_the_grade_for_the_lab_page_of_a_built_book() {
    let ws = Workspace::new().with_book();
    let lab = ws.root().join("labs/lab-1");
    fs::write(
        lab.join("Cargo.toml"),
        "[package]\nname = \"lab-1\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
    )
    .unwrap();
    fs::write(
        lab.join("src/lib.rs"),
        "pub fn resolve(path: &str) -> Option<String> { Some(path.to_string()) }\n",
    )
    .unwrap();
    fs::write(
        lab.join("tests/graded.rs"),
        "#[test]\nfn resolve_keeps_a_plain_path() { assert_eq!(lab_1::resolve(\"a\"), Some(\"a\".into())); }\n\
         #[test]\nfn resolve_refuses_dot_dot() { assert_eq!(lab_1::resolve(\"..\"), None); }\n",
    )
    .unwrap();
    // As `serve` leaves it: a built book.
    fs::create_dir_all(ws.root().join("book/build")).unwrap();
    fs::write(ws.root().join("book/build/index.html"), "<html></html>").unwrap();

    ws.workbook(&["check", "1"])
        .timeout(Duration::from_secs(300))
        .assert()
        .failure()
        .stdout(contains("lab 1: 1 of 2 graded tests pass."));

    let state = fs::read_to_string(ws.root().join(".workbook/state.toml")).unwrap();
    assert!(
        state.contains(
            "[labs.lab-1.last_check]\noutcome = \"failing\"\npassed = 1\ntotal = 2\n\
             first_failure = \"resolve_refuses_dot_dot (tests/graded.rs)\"\n"
        ),
        "{state}"
    );
    let progress = fs::read_to_string(ws.root().join("book/build/workbook-progress.json")).unwrap();
    let progress: serde_json::Value = serde_json::from_str(&progress).unwrap();
    let lab_1 = &progress["labs"][0];
    assert_eq!(lab_1["page"], "ch01-test.html");
    assert_eq!(lab_1["grade"]["passed"], 1);
    assert_eq!(
        lab_1["headline"],
        "1 of 2 graded tests pass. First failing test: resolve_refuses_dot_dot (tests/graded.rs)."
    );
    assert_eq!(lab_1["next"][1], "workbook check 1");
}
