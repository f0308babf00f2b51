//! Every "Run it" section of the book, run for real and compared with what
//! the page shows (see the crate's documentation for how).
//!
//! Chapters run one after another: the book gives its servers fixed ports
//! (8080, 9001, ...), and a reader runs one chapter at a time too. A
//! chapter whose ports are taken on this machine (a `workbook serve` on
//! 3000, say) is skipped with a line saying which; with
//! `WORKBOOK_REQUIRE_TOOLS=1` (CI) that is a failure instead, like a
//! missing tool.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use transcripts::{run_it, Outcome, Section, Session, Step};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// `target/debug`: this test runs from `target/debug/deps/`, and
/// `cargo test --workspace` has built every binary next to it.
fn built_binaries() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.parent().unwrap().parent().unwrap().to_path_buf()
}

fn real_cargo() -> PathBuf {
    std::env::var_os("CARGO")
        .map(PathBuf::from)
        .or_else(|| testkit::tool("cargo"))
        .expect("cargo runs this test")
}

/// Builds every binary of the workspace with every feature, which is what
/// the sessions run for `cargo run -p NAME`. Under the README's `cargo test
/// --workspace --all-features` that is done already and this takes a
/// moment; run alone, `cargo test -p transcripts` would otherwise find
/// whatever the last build left in `target/debug`, such as a miniproxy
/// built without chapter 8's `tls`.
fn build_every_binary(root: &Path) {
    let mut build = Command::new(real_cargo());
    build
        .current_dir(root)
        .args(["build", "--workspace", "--all-features", "--bins"]);
    // cargo runs this test with its own package's variables set
    // (CARGO_PKG_NAME, CARGO_MANIFEST_DIR, ...). A build that sees them
    // takes them for changed inputs of some build scripts (ring's) and
    // compiles those crates again, and the next build back again.
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        let describes_this_package = name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
            || [
                "CARGO_CRATE_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
            ]
            .contains(&name);
        if describes_this_package {
            build.env_remove(name);
        }
    }
    let status = build.status().expect("cargo starts");
    assert!(
        status.success(),
        "cargo build --workspace --all-features --bins failed"
    );
}

fn require_tools() -> bool {
    std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1")
}

/// The loopback ports a section's commands name: `--port N`, and
/// `127.0.0.1:N` / `localhost:N` anywhere in a command.
fn ports(section: &Section) -> Vec<u16> {
    let mut ports = Vec::new();
    for step in &section.steps {
        let (Step::Run { command, .. } | Step::Start { command, .. } | Step::Setup { command, .. }) =
            step
        else {
            continue;
        };
        let words: Vec<&str> = command.split_whitespace().collect();
        for pair in words.windows(2) {
            if pair[0] == "--port" {
                ports.extend(pair[1].parse::<u16>().ok());
            }
        }
        for host in ["127.0.0.1:", "localhost:"] {
            for (at, _) in command.match_indices(host) {
                let digits: String = command[at + host.len()..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                ports.extend(digits.parse::<u16>().ok());
            }
        }
    }
    ports.sort_unstable();
    ports.dedup();
    ports
}

fn busy(ports: &[u16]) -> Vec<u16> {
    ports
        .iter()
        .copied()
        .filter(|&port| TcpListener::bind(("127.0.0.1", port)).is_err())
        .collect()
}

/// Runs one chapter's section; `Err` says where it drifted.
fn check(root: &Path, file: &str, section: &Section) -> Result<(), String> {
    let mut session = Session::new(root, &built_binaries(), &real_cargo())
        .map_err(|err| format!("cannot set up the session: {err}"))?;
    for step in &section.steps {
        let line = match step {
            Step::Run { line, .. }
            | Step::Start { line, .. }
            | Step::Setup { line, .. }
            | Step::Stop { line, .. } => *line,
        };
        match session.step(step) {
            Ok(Outcome::Unchecked(why)) => eprintln!("  {file}:{line}: not compared: {why}"),
            Ok(Outcome::Skipped(why)) => eprintln!("  {file}:{line}: not run: {why}"),
            Ok(_) => {}
            Err(drift) => return Err(format!("{file}:{line}: {drift}")),
        }
    }
    session.finish();
    Ok(())
}

#[test]
fn every_run_it_section_matches_what_the_book_shows() {
    // Almost every transcript asks curl.
    if testkit::tool("curl").is_none() {
        return;
    }
    let root = workspace_root();
    build_every_binary(&root);
    let mut chapters: Vec<PathBuf> = std::fs::read_dir(root.join("book/src"))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .collect();
    chapters.sort();

    let mut checked = Vec::new();
    let mut failures = Vec::new();
    for path in &chapters {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(path).unwrap();
        let section = match run_it(&text) {
            Ok(Some(section)) => section,
            Ok(None) => continue,
            Err(err) => {
                failures.push(format!("{file}: {err}"));
                continue;
            }
        };
        if section
            .needs
            .iter()
            .any(|tool| testkit::tool(tool).is_none())
        {
            eprintln!("skipped: {file} (a tool it needs is missing)");
            continue;
        }
        let taken = busy(&ports(&section));
        if !taken.is_empty() {
            let message = format!("{file}: its ports {taken:?} are in use on this machine");
            assert!(!require_tools(), "{message} (WORKBOOK_REQUIRE_TOOLS=1)");
            eprintln!("skipped: {message}; stop what uses them to check it");
            continue;
        }
        eprintln!("checking {file}");
        match check(&root, &file, &section) {
            Ok(()) => checked.push(file),
            Err(drift) => failures.push(drift),
        }
    }
    eprintln!("transcripts that match the book: {checked:?}");
    assert!(
        failures.is_empty(),
        "{} transcript(s) no longer match the book:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
