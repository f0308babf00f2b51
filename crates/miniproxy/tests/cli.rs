//! The `miniproxy` command as a user meets it: config checks and clear errors.

use assert_cmd::Command;
use predicates::prelude::*;

/// The config chapter 1's "Run it" uses.
const PLAYGROUND_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../playground/ch1/miniproxy.toml"
);

fn miniproxy() -> Command {
    Command::cargo_bin("miniproxy").unwrap()
}

#[test]
fn check_explains_a_good_config() {
    miniproxy()
        .args(["--check", "--config"])
        .arg(PLAYGROUND_CONFIG)
        .assert()
        .success()
        .stdout(predicate::str::contains("OK"))
        .stdout(predicate::str::contains("listen:   127.0.0.1:8080"))
        .stdout(predicate::str::contains(
            "everything else -> http://127.0.0.1:9000",
        ));
}

/// Runs `miniproxy --check --config <file>` on a file holding `text`.
fn check_config(name: &str, text: &str) -> assert_cmd::assert::Assert {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    miniproxy()
        .arg("--check")
        .arg("--config")
        .arg(&path)
        .assert()
}

#[test]
fn check_points_at_the_mistake() {
    check_config(
        "bad.toml",
        "listen = \"127.0.0.1:8080\"\nupstream = \"localhost\"\n",
    )
    .code(1)
    .stderr(predicate::str::contains(
        "bad.toml:2:12: `localhost` needs a port",
    ));
}

#[test]
fn a_typo_in_a_key_is_an_error_not_ignored() {
    check_config("typo.toml", "upstrem = \"127.0.0.1:9000\"\n")
        .code(1)
        .stderr(predicate::str::contains("typo.toml:1:1:"))
        .stderr(predicate::str::contains("upstrem"));
}

#[test]
fn nothing_to_serve_is_refused() {
    miniproxy()
        .arg("--check")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nothing to serve"));
}

#[test]
fn a_missing_root_is_named() {
    miniproxy()
        .args(["--check", "--root", "/no/such/dir"])
        .assert()
        .code(1)
        .stderr(predicate::str::contains("/no/such/dir"));
}

#[test]
fn a_busy_port_is_one_clear_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    miniproxy()
        .arg("--root")
        .arg(dir.path())
        .args(["--listen", &address])
        .assert()
        .code(1)
        .stderr(predicate::str::contains(format!(
            "cannot listen on {address}"
        )))
        .stderr(predicate::str::contains("in use"));
}

#[test]
fn flags_override_the_file() {
    miniproxy()
        .arg("--check")
        .arg("--config")
        .arg(PLAYGROUND_CONFIG)
        .args([
            "--upstream",
            "http://127.0.0.1:9100",
            "--static-ext",
            ".CSS,js",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("-> http://127.0.0.1:9100"))
        .stdout(predicate::str::contains("[\"css\", \"js\"]"));
}

#[cfg(unix)]
#[test]
fn sigterm_stops_it_gracefully() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::{Command as Process, Stdio};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let mut child = Process::new(env!("CARGO_BIN_EXE_miniproxy"))
        .arg("--root")
        .arg(dir.path())
        .args(["--listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(
        first.starts_with("miniproxy listening on http://127.0.0.1:"),
        "{first}"
    );

    // systemd, Docker and `kill` all stop a service with SIGTERM.
    let sent = Process::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("miniproxy did not stop within 10 s of SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut rest = String::new();
    stdout.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "exit status {status}");
    assert!(
        rest.contains("stopping: finishing requests in flight"),
        "{rest}"
    );
}
