//! The `demo-was` binary: flags, errors, and a real start/stop cycle.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use assert_cmd::cargo::cargo_bin_cmd;
use predicates::prelude::*;

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

/// A child process that is killed if the test ends early (a failed
/// assertion), so no server outlives its test.
struct Server {
    child: Child,
    lines: mpsc::Receiver<String>,
    log: Vec<String>,
}

impl Server {
    fn spawn(args: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin!("demo-was"))
            .args(args)
            .env("RUST_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn demo-was");
        // Read stderr on a thread, so the test can wait for a line with a
        // deadline instead of blocking forever on a read.
        let stderr = child.stderr.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Server {
            child,
            lines,
            log: Vec::new(),
        }
    }

    /// Wait for a log line containing `needle`, and return it.
    fn wait_for_line(&mut self, needle: &str) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) => {
                    self.log.push(line.clone());
                    if line.contains(needle) {
                        return line;
                    }
                }
                Err(_) => panic!(
                    "no log line containing {needle:?}; log so far: {:#?}",
                    self.log
                ),
            }
        }
    }

    /// Wait for the process to exit, and return whether it succeeded.
    fn wait_for_exit(&mut self) -> bool {
        let deadline = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.success();
            }
            assert!(
                Instant::now() < deadline,
                "demo-was did not exit within {DEADLINE:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A minimal HTTP/1.1 GET over a plain TCP socket: what curl would send.
fn http_get(addr: SocketAddr, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(DEADLINE)).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read answer");
    answer
}

fn listening_addr(line: &str) -> SocketAddr {
    let url = line
        .split("listening on http://")
        .nth(1)
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    url.trim().parse().unwrap()
}

#[cfg(unix)]
#[test]
fn serves_then_exits_cleanly_on_sigterm() {
    let mut server = Server::spawn(&["--port", "0", "--profile", "blue", "--version-label", "9.9"]);
    let line = server.wait_for_line("listening on");
    assert!(
        line.contains("demo-was (profile blue) listening on http://127.0.0.1:"),
        "{line}"
    );
    let addr = listening_addr(&line);

    let answer = http_get(addr, "/profile");
    assert!(answer.starts_with("HTTP/1.1 200 OK\r\n"), "{answer}");
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("server: demo-was/9.9\r\n"),
        "{answer}"
    );
    assert!(answer.ends_with("\r\n\r\nblue\n"), "{answer}");

    // One access-log line per request.
    server.wait_for_line("GET /profile -> 200");

    // SIGTERM is what `systemctl stop` and `kill` send.
    let status = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(status.success());
    server.wait_for_line("shutting down");
    assert!(
        server.wait_for_exit(),
        "a graceful stop exits with status 0"
    );
    assert!(
        TcpStream::connect(addr).is_err(),
        "the port is closed after exit"
    );
}

#[test]
fn listen_flag_picks_the_address() {
    let mut server = Server::spawn(&["--listen", "127.0.0.1:0"]);
    let line = server.wait_for_line("listening on");
    assert!(
        line.contains("demo-was (profile local) listening on"),
        "{line}"
    );
    let answer = http_get(listening_addr(&line), "/version");
    assert!(
        answer.ends_with(&format!("\r\n\r\n{}\n", env!("CARGO_PKG_VERSION"))),
        "{answer}"
    );
}
