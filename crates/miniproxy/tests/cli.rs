//! The `miniproxy` command as a user meets it: config checks and clear errors.

use std::process::Command;

use predicates::prelude::*;
use testkit::http as rawhttp;
use testkit::{Process, Stream};

/// The config chapter 1's "Run it" uses.
const PLAYGROUND_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../playground/ch1/miniproxy.toml"
);

fn miniproxy() -> assert_cmd::Command {
    assert_cmd::Command::cargo_bin("miniproxy").unwrap()
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

/// `miniproxy` serving `dir` on a free loopback port, with the default
/// access log (stdout).
fn server(dir: &std::path::Path) -> std::process::Command {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_miniproxy"));
    command
        .arg("--root")
        .arg(dir)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("RUST_LOG");
    command
}

/// A web root with one page.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "hello\n").unwrap();
    dir
}

/// The address in `miniproxy listening on http://ADDR`.
fn listening_addr(line: &str) -> std::net::SocketAddr {
    line.trim()
        .strip_prefix("miniproxy listening on http://")
        .and_then(|addr| addr.parse().ok())
        .unwrap_or_else(|| panic!("not a listening line: {line:?}"))
}

/// Three pages in a row, each answered: the server is alive and well.
async fn answers_several_requests(addr: std::net::SocketAddr, server: &Process) {
    for n in 1..=3 {
        let answer = rawhttp::get(addr, "/index.html")
            .await
            .unwrap_or_else(|error| panic!("request {n}: {error}; output: {:#?}", server.seen()));
        assert_eq!(answer.status, 200, "request {n}");
        assert_eq!(answer.text(), "hello\n", "request {n}");
    }
}

#[cfg(unix)]
#[test]
fn sigterm_stops_it_gracefully() {
    let dir = site();
    let mut proxy = Process::spawn(&mut server(dir.path()));
    let line = proxy.wait_for_line_containing("listening on");
    assert!(
        line.starts_with("miniproxy listening on http://127.0.0.1:"),
        "{line}"
    );

    // systemd, Docker and `kill` all stop a service with SIGTERM.
    proxy.assert_stops_cleanly();
    proxy.wait_for_line_containing("stopping: finishing requests in flight");
}

/// miniproxy serving `dir`, with `stream` piped into `head -1`.
fn server_piped_into_head(dir: &std::path::Path, stream: Stream) -> (Process, Process) {
    Process::spawn_piped_into(&mut server(dir), stream, Command::new("head").arg("-1"))
}

// `miniproxy | head -1`: head reads the "listening" line and exits, and
// every later write to stdout fails with "broken pipe": each access-log
// line, and the "stopping" line the SIGTERM makes miniproxy print.
#[cfg(unix)]
#[tokio::test]
async fn keeps_serving_and_stops_cleanly_after_its_stdout_is_closed() {
    let dir = site();
    let (mut proxy, mut head) = server_piped_into_head(dir.path(), Stream::Stdout);
    let addr = listening_addr(&head.wait_for_line_containing("listening on"));
    head.assert_success();

    answers_several_requests(addr, &proxy).await;
    answers_several_requests(addr, &proxy).await;
    proxy.assert_stops_cleanly();
}

// `miniproxy --access-log /dev/stderr 2>&1 >log | head -1`, in effect (the
// way nginx's Docker image logs): the first access-log line goes to head,
// and every later one into a closed pipe.
#[cfg(unix)]
#[tokio::test]
async fn keeps_serving_and_stops_cleanly_after_its_stderr_is_closed() {
    let dir = site();
    let (mut proxy, mut head) = Process::spawn_piped_into(
        server(dir.path()).args(["--access-log", "/dev/stderr"]),
        Stream::Stderr,
        Command::new("head").arg("-1"),
    );
    let addr = listening_addr(&proxy.wait_for_line_containing("listening on"));

    // The first request's access-log line is all head reads.
    answers_several_requests(addr, &proxy).await;
    let logged = head.wait_for_line_containing("\"GET /index.html HTTP/1.1\" 200 6 ");
    assert!(logged.starts_with("127.0.0.1 - - ["), "{logged}");
    head.assert_success();

    // Now every access-log line meets a closed stderr.
    answers_several_requests(addr, &proxy).await;
    proxy.assert_stops_cleanly();
    proxy.wait_for_line_containing("stopping: finishing requests in flight");
}
