//! Chapter 1's "Run it", for real: the `miniproxy` binary with the
//! playground config, demo-was behind it, and the real curl in front.

use std::fmt;
use std::process::Command;

use testkit::{tool, Process};

/// One run of curl, kept whole so that a failing assertion shows what curl
/// itself said: its exit code (7: could not connect, 28: timed out, 52: empty
/// reply) and its stderr, not only an empty stdout.
struct Curl {
    command: String,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl fmt::Display for Curl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self
            .code
            .map_or("none (killed by a signal)".to_owned(), |code| {
                code.to_string()
            });
        write!(
            f,
            "\n$ {}\ncurl's exit code: {code}\ncurl's stderr: {}\ncurl's stdout:\n{}",
            self.command,
            self.stderr.trim_end(),
            self.stdout
        )
    }
}

impl Curl {
    /// Whether curl succeeded and the answer starts with this status line.
    fn starts_with(&self, status_line: &str) -> bool {
        self.code == Some(0) && self.stdout.starts_with(status_line)
    }

    fn contains(&self, text: &str) -> bool {
        self.stdout.contains(text)
    }
}

fn curl(curl: &std::path::Path, args: &[&str]) -> Curl {
    let fixed = ["--silent", "--show-error", "--include", "--max-time", "10"];
    let output = Command::new(curl)
        .args(fixed)
        .args(args)
        .output()
        .expect("curl runs");
    Curl {
        command: format!("curl {} {}", fixed.join(" "), args.join(" ")),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn chapter_1_run_it() {
    let Some(curl_path) = tool("curl") else {
        return;
    };
    let curl = |args: &[&str]| curl(&curl_path, args);
    let app = demo_was::start(demo_was::Options::on_free_port("blue"))
        .await
        .unwrap();

    let config = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../playground/ch1/miniproxy.toml"
    );
    let mut proxy = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_miniproxy"))
            .args(["--config", config, "--listen", "127.0.0.1:0"])
            .arg("--upstream")
            .arg(app.local_addr().to_string()),
    );
    // The first line says where it listens: that is the readiness signal.
    let first_line = proxy.wait_for_line_containing("listening on");
    let base = first_line
        .trim()
        .strip_prefix("miniproxy listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first_line}"))
        .to_owned();

    let css = curl(&[&format!("{base}/static/style.css")]);
    assert!(css.starts_with("HTTP/1.1 200 OK"), "{css}");
    assert!(css.contains("server: miniproxy"), "{css}");
    assert!(
        css.contains("content-type: text/css; charset=utf-8"),
        "{css}"
    );
    // Terminal 2's access log: a file from disk, no upstream.
    let logged = proxy.wait_for_line_containing("\"GET /static/style.css HTTP/1.1\"");
    assert!(logged.starts_with("127.0.0.1 - - ["), "{logged}");
    assert!(logged.contains("\" 200 250 \"-\" \"curl/"), "{logged}");
    assert!(logged.ends_with(" upstream=- upstream_time=-"), "{logged}");

    let hello = curl(&[&format!("{base}/hello")]);
    assert!(hello.starts_with("HTTP/1.1 200 OK"), "{hello}");
    assert!(hello.contains("server: demo-was/"), "{hello}");
    assert!(hello.contains("via: 1.1 miniproxy"), "{hello}");
    assert!(hello.contains("This is demo-was (profile blue)"), "{hello}");
    let logged = proxy.wait_for_line_containing("\"GET /hello HTTP/1.1\"");
    assert!(logged.contains("\" 200 58 \"-\" \"curl/"), "{logged}");

    let headers = curl(&[&format!("{base}/headers")]);
    assert!(headers.contains("x-forwarded-for: 127.0.0.1"), "{headers}");
    let appended = curl(&[
        "-H",
        "X-Forwarded-For: 203.0.113.7",
        &format!("{base}/headers"),
    ]);
    assert!(
        appended.contains("x-forwarded-for: 203.0.113.7, 127.0.0.1"),
        "{appended}"
    );

    let escape = curl(&["--path-as-is", &format!("{base}/static/../../Cargo.toml")]);
    assert!(escape.starts_with("HTTP/1.1 400 Bad Request"), "{escape}");
    assert!(!escape.contains("[workspace]"), "{escape}");
    let encoded = curl(&[&format!("{base}/static/%2e%2e/%2e%2e/Cargo.toml")]);
    assert!(encoded.starts_with("HTTP/1.1 400 Bad Request"), "{encoded}");
    assert!(
        encoded.contains("the path climbs to a parent directory with '..'"),
        "{encoded}"
    );

    app.stop().await;
    let down = curl(&[&format!("{base}/hello")]);
    assert!(down.starts_with("HTTP/1.1 502 Bad Gateway"), "{down}");
    let css = curl(&[&format!("{base}/static/style.css")]);
    assert!(css.starts_with("HTTP/1.1 200 OK"), "{css}");
    drop(proxy);
}
