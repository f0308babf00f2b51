//! The `demo-was` binary: flags, errors, and a real start/stop cycle.

use std::net::{SocketAddr, TcpStream};
use std::process::Command;
use std::time::Duration;

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;
use testkit::http::{self as rawhttp, Answer};
use testkit::{Process, Stream};

const DEADLINE: Duration = Duration::from_secs(10);

#[test]
fn help_lists_every_flag() {
    cargo_bin_cmd!("demo-was")
        .arg("--help")
        .assert()
        .success()
        .stdout(
            predicate::str::contains("--listen <ADDR>")
                .and(predicate::str::contains("--port <N>"))
                .and(predicate::str::contains("--profile <NAME>"))
                .and(predicate::str::contains("--version-label <V>"))
                .and(predicate::str::contains("127.0.0.1:8081")),
        );
}

#[test]
fn version_flag_prints_the_crate_version() {
    cargo_bin_cmd!("demo-was")
        .arg("--version")
        .assert()
        .success()
        .stdout(format!("demo-was {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn a_busy_port_is_one_clear_error_line() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let assert = cargo_bin_cmd!("demo-was")
        .args(["--port", &port.to_string()])
        .timeout(DEADLINE)
        .assert()
        .failure()
        .code(1)
        .stderr(
            predicate::str::contains(format!("cannot listen on 127.0.0.1:{port}"))
                .and(predicate::str::contains("in use"))
                .and(predicate::str::contains("panicked").not()),
        );
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "exactly one line: {stderr:?}");
}

#[test]
fn listen_and_port_cannot_be_combined() {
    cargo_bin_cmd!("demo-was")
        .args(["--listen", "127.0.0.1:0", "--port", "0"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("cannot be used with"));
}

#[test]
fn a_bad_listen_address_is_a_usage_error() {
    cargo_bin_cmd!("demo-was")
        .args(["--listen", "localhost"])
        .assert()
        .failure()
        .stderr(predicate::str::contains("invalid value 'localhost'"));
}

#[test]
fn a_profile_with_a_newline_is_refused() {
    let assert = cargo_bin_cmd!("demo-was")
        .args(["--port", "0", "--profile", "blue\nX-Evil: 1"])
        .timeout(DEADLINE)
        .assert()
        .failure()
        .stderr(predicate::str::contains("control characters"));
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert_eq!(stderr.lines().count(), 1, "exactly one line: {stderr:?}");
}

/// `demo-was` with `args`, logging at the default level (info).
fn demo_was(args: &[&str]) -> Command {
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("demo-was"));
    command.args(args).env_remove("RUST_LOG");
    command
}

fn listening_addr(line: &str) -> SocketAddr {
    let url = line
        .split("listening on http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    url.trim().parse().unwrap()
}

/// GET `path`, failing with the server's output so far if it goes wrong.
async fn get(addr: SocketAddr, path: &str, server: &Process) -> Answer {
    rawhttp::get(addr, path)
        .await
        .unwrap_or_else(|error| panic!("GET {path}: {error}; output: {:#?}", server.seen()))
}

#[cfg(unix)]
#[tokio::test]
async fn serves_then_exits_cleanly_on_sigterm() {
    let mut server = Process::spawn(&mut demo_was(&[
        "--port",
        "0",
        "--profile",
        "blue",
        "--version-label",
        "9.9",
    ]));
    let line = server.wait_for_line_containing("listening on");
    assert!(
        line.contains("demo-was (profile blue) listening on http://127.0.0.1:"),
        "{line}"
    );
    let addr = listening_addr(&line);

    let answer = get(addr, "/profile", &server).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("server"), Some("demo-was/9.9"));
    assert_eq!(answer.text(), "blue\n");

    // One access-log line per request.
    server.wait_for_line_containing("GET /profile -> 200");

    // SIGTERM is what `systemctl stop` and `kill` send.
    server.assert_stops_cleanly();
    server.wait_for_line_containing("shutting down");
    assert!(
        TcpStream::connect(addr).is_err(),
        "the port is closed after exit"
    );
}

#[tokio::test]
async fn listen_flag_picks_the_address() {
    let mut server = Process::spawn(&mut demo_was(&["--listen", "127.0.0.1:0"]));
    let line = server.wait_for_line_containing("listening on");
    assert!(
        line.contains("demo-was (profile local) listening on"),
        "{line}"
    );
    let answer = get(listening_addr(&line), "/version", &server).await;
    assert_eq!(answer.text(), format!("{}\n", env!("CARGO_PKG_VERSION")));
}

/// Three requests in a row, each answered, and each logged (the log is
/// what meets a closed stderr).
async fn answers_several_requests(addr: SocketAddr, server: &Process) {
    for n in 1..=3 {
        let answer = get(addr, &format!("/hello?name=n{n}"), server).await;
        assert_eq!(answer.status, 200, "request {n}");
        assert!(
            answer.text().starts_with(&format!("Hello, n{n}!")),
            "request {n}: {}",
            answer.text()
        );
    }
}

/// demo-was on a free port, with `stream` piped into `head`.
fn server_piped_into_head(stream: Stream, head_args: &[&str]) -> (Process, Process) {
    let mut head = Command::new("head");
    head.args(head_args);
    Process::spawn_piped_into(&mut demo_was(&["--port", "0"]), stream, &mut head)
}

// demo-was logs to stderr, so `demo-was 2>&1 | head -1` is what closes the
// pipe under it: head reads the "listening" line and exits, and every later
// log line (one per request, then "shutting down") meets a closed pipe.
#[cfg(unix)]
#[tokio::test]
async fn keeps_serving_and_stops_cleanly_after_its_stderr_is_closed() {
    let (mut server, mut head) = server_piped_into_head(Stream::Stderr, &["-1"]);
    let addr = listening_addr(&head.wait_for_line_containing("listening on"));
    head.assert_success();

    answers_several_requests(addr, &server).await;
    server.assert_stops_cleanly();
}

// demo-was prints nothing to stdout today; this keeps it safe if it ever
// does. `head -n 0` reads nothing and exits, closing the pipe at once.
#[cfg(unix)]
#[tokio::test]
async fn keeps_serving_and_stops_cleanly_after_its_stdout_is_closed() {
    let (mut server, mut head) = server_piped_into_head(Stream::Stdout, &["-n", "0"]);
    head.assert_success();
    let addr = listening_addr(&server.wait_for_line_containing("listening on"));

    answers_several_requests(addr, &server).await;
    server.wait_for_line_containing("GET /hello");
    server.assert_stops_cleanly();
    server.wait_for_line_containing("stopped");
}
