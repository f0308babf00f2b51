//! Chapter 4's "Run it", for real: the same tiny app (playground/ch4) as a
//! CGI script under cgi-runner, as WSGI under gunicorn, and as ASGI under
//! uvicorn, each on a loopback port. Behaviour only, never timings.

use std::path::PathBuf;
use std::process::Command;

use testkit::{Process, Signal};

fn playground() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../playground/ch4")
}

/// Starts a server with `command`, waits for `ready` in its output, and
/// returns the greeting for `name` from `url`.
fn greeting(mut command: Command, ready: &str, url: &str, curl: &std::path::Path) -> String {
    let mut server = Process::spawn(&mut command);
    server.wait_for_line_containing(ready);
    let body = testkit::curl(curl, &[url]);
    server.signal(Signal::Term);
    server.wait_for_exit();
    body
}

#[test]
fn the_cgi_script_greets_and_each_request_is_a_new_process() {
    let (Some(curl), Some(_)) = (testkit::tool("curl"), testkit::tool("python3")) else {
        return;
    };
    let mut command = Command::new(assert_cmd::cargo::cargo_bin!("cgi-runner"));
    command
        .arg("--root")
        .arg(playground().join("cgi-bin"))
        .args(["--listen", "127.0.0.1:0"]);
    let mut server = Process::spawn(&mut command);
    let line = server.wait_for_line_containing("listening on http://");
    let base = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap()
        .to_string();
    let first = testkit::curl(&curl, &[&format!("{base}/greet.py?name=Ann")]);
    let second = testkit::curl(&curl, &[&format!("{base}/greet.py?name=Ann")]);
    assert!(first.starts_with("Hello, Ann! (CGI, pid "), "{first}");
    assert_ne!(
        first, second,
        "the same pid twice: not a process per request"
    );
    let hello = testkit::curl(&curl, &[&format!("{base}/moved.sh")]);
    assert!(hello.starts_with("Hello from a shell script"), "{hello}");
    server.signal(Signal::Term);
    server.assert_stops_cleanly();
}

#[test]
fn the_wsgi_app_runs_on_gunicorn() {
    let (Some(curl), Some(gunicorn)) = (testkit::tool("curl"), testkit::tool("gunicorn")) else {
        return;
    };
    let port = testkit::free_port();
    let mut command = Command::new(gunicorn);
    command.arg("--chdir").arg(playground()).args([
        "--bind",
        &format!("127.0.0.1:{port}"),
        "--workers",
        "2",
        "app_wsgi:app",
    ]);
    let body = greeting(
        command,
        "Booting worker",
        &format!("http://127.0.0.1:{port}/?name=Ann"),
        &curl,
    );
    assert!(body.starts_with("Hello, Ann! (WSGI, pid "), "{body}");
}

#[test]
fn the_asgi_app_runs_on_uvicorn() {
    let (Some(curl), Some(uvicorn)) = (testkit::tool("curl"), testkit::tool("uvicorn")) else {
        return;
    };
    let port = testkit::free_port();
    let mut command = Command::new(uvicorn);
    command.arg("--app-dir").arg(playground()).args([
        "--host",
        "127.0.0.1",
        "--port",
        &port.to_string(),
        "app_asgi:app",
    ]);
    let body = greeting(
        command,
        "Uvicorn running",
        &format!("http://127.0.0.1:{port}/?name=Ann"),
        &curl,
    );
    assert!(body.starts_with("Hello, Ann! (ASGI, pid "), "{body}");
}
