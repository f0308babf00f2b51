//! Chapter 1's "Run it", for real: the `miniproxy` binary with the
//! playground config, demo-was behind it, and the real curl in front.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use testkit::{tool, Reaped};

fn curl(curl: &std::path::Path, args: &[&str]) -> String {
    let output = Command::new(curl)
        .args(["--silent", "--show-error", "--include", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl runs");
    String::from_utf8_lossy(&output.stdout).into_owned()
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
    let mut child = Command::new(env!("CARGO_BIN_EXE_miniproxy"))
        .args(["--config", config, "--listen", "127.0.0.1:0"])
        .arg("--upstream")
        .arg(app.local_addr().to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // The first line says where it listens: that is the readiness signal.
    let stdout = child.stdout.take().unwrap();
    let proxy = Reaped(child);
    let mut first_line = String::new();
    BufReader::new(stdout).read_line(&mut first_line).unwrap();
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

    let hello = curl(&[&format!("{base}/hello")]);
    assert!(hello.starts_with("HTTP/1.1 200 OK"), "{hello}");
    assert!(hello.contains("server: demo-was/"), "{hello}");
    assert!(hello.contains("via: 1.1 miniproxy"), "{hello}");
    assert!(hello.contains("This is demo-was (profile blue)"), "{hello}");

    let headers = curl(&[&format!("{base}/headers")]);
    assert!(headers.contains("x-forwarded-for: 127.0.0.1"), "{headers}");

    let escape = curl(&["--path-as-is", &format!("{base}/static/../../Cargo.toml")]);
    assert!(escape.starts_with("HTTP/1.1 400 Bad Request"), "{escape}");
    assert!(!escape.contains("[workspace]"), "{escape}");

    app.stop().await;
    let down = curl(&[&format!("{base}/hello")]);
    assert!(down.starts_with("HTTP/1.1 502 Bad Gateway"), "{down}");
    drop(proxy);
}
