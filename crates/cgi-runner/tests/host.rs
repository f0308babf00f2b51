//! cgi-runner as a CGI host, driven over real HTTP with real scripts in sh,
//! python3 and perl: the cases Apache's mod_cgi and Go's net/http/cgi care
//! about, and the ones where CGI hosts went wrong (httpoxy, runaway and
//! orphaned scripts).

mod support;

use support::{gone, pid_written, script, variable, zombie_children, Host, SHORT};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const ENV_PL: &str = "#!/usr/bin/perl\nprint \"Content-Type: text/plain\\r\\n\\r\\n\";\nprint \"$_=$ENV{$_}\\n\" for sort keys %ENV;\n";
const ENV_SH: &str = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n";
const ECHO_PY: &str = "#!/usr/bin/env python3\nimport os, sys\nn = int(os.environ.get('CONTENT_LENGTH') or 0)\ndata = sys.stdin.buffer.read(n)\nsys.stdout.buffer.write(b'Content-Type: application/octet-stream\\n\\n' + data)\n";

#[tokio::test]
async fn httpoxy_a_proxy_header_never_becomes_http_proxy() {
    if testkit::tool("perl").is_none() {
        return;
    }
    let host = Host::start(&[("env.pl", ENV_PL)], |_| {}).await;
    let answer = host
        .request("GET", "/env.pl", &[("Proxy", "http://evil.example:3128")])
        .await;
    let body = answer.text();
    assert_eq!(answer.status, 200, "{body}");
    assert_eq!(variable(&body, "HTTP_PROXY"), None, "{body}");
    assert!(!body.contains("evil.example"), "{body}");
    host.stop().await;
}

#[tokio::test]
async fn the_meta_variables_describe_the_request() {
    let host = Host::start(&[("tools/env.sh", ENV_SH)], |_| {}).await;
    let answer = host
        .request(
            "GET",
            "/tools/env.sh/a%20b/c?x=1&y=%2F",
            &[
                ("Accept", "text/html"),
                ("Accept", "text/plain"),
                ("X_User", "admin"),
            ],
        )
        .await;
    let body = answer.text();
    let root = std::fs::canonicalize(host.root()).unwrap();
    let expect = [
        ("GATEWAY_INTERFACE", "CGI/1.1".to_string()),
        ("REQUEST_METHOD", "GET".into()),
        ("SCRIPT_NAME", "/tools/env.sh".into()),
        ("PATH_INFO", "/a b/c".into()),
        ("PATH_TRANSLATED", format!("{}/a b/c", root.display())),
        ("QUERY_STRING", "x=1&y=%2F".into()),
        (
            "SCRIPT_FILENAME",
            format!("{}/tools/env.sh", root.display()),
        ),
        ("SERVER_PORT", host.addr().port().to_string()),
        ("SERVER_NAME", "127.0.0.1".into()),
        ("SERVER_PROTOCOL", "HTTP/1.1".into()),
        ("REMOTE_ADDR", "127.0.0.1".into()),
        ("HTTP_ACCEPT", "text/html, text/plain".into()),
    ];
    for (key, value) in expect {
        assert_eq!(variable(&body, key), Some(value), "{key} in\n{body}");
    }
    assert_eq!(variable(&body, "HTTP_X_USER"), None, "{body}");
    host.stop().await;
}

#[tokio::test]
async fn the_body_arrives_on_stdin_and_large_bodies_stream_both_ways() {
    if testkit::tool("python3").is_none() {
        return;
    }
    let big = "#!/bin/sh\nprintf 'Content-Type: application/octet-stream\\n\\n'\nexec head -c 8388608 /dev/zero\n";
    let host = Host::start(&[("echo.py", ECHO_PY), ("big.sh", big)], |_| {}).await;
    let upload: Vec<u8> = (0..4 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    let mut raw = format!(
        "POST /echo.py HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/octet-stream\r\nContent-Length: {}\r\n\r\n",
        upload.len()
    )
    .into_bytes();
    raw.extend_from_slice(&upload);
    let answer = testkit::http::request_bytes(host.addr(), &raw, false)
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(
        answer.body == upload,
        "the echo differs ({} bytes back)",
        answer.body.len()
    );

    let answer = host.get("/big.sh").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body.len(), 8 * 1024 * 1024);
    host.stop().await;
}

#[tokio::test]
async fn a_chunked_request_body_is_refused_with_411() {
    let host = Host::start(&[("env.sh", ENV_SH)], |_| {}).await;
    let raw = b"POST /env.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
    let answer = testkit::http::request_bytes(host.addr(), raw, false)
        .await
        .unwrap();
    assert_eq!(answer.status, 411, "{}", answer.text());
    host.stop().await;
}

#[tokio::test]
async fn paths_never_escape_the_root_and_only_executables_run() {
    let host = Host::start(&[("env.sh", ENV_SH)], |_| {}).await;
    let root = host.root();
    std::fs::write(root.join("notes.txt"), "not a script").unwrap();
    script(host.dir.path(), "outside.sh", ENV_SH);
    std::os::unix::fs::symlink(host.dir.path().join("outside.sh"), root.join("link.sh")).unwrap();
    for (target, status) in [
        ("/../outside.sh", 400),
        ("/%2e%2e/outside.sh", 400),
        ("/env.sh/..%2f..%2foutside.sh", 400),
        ("/a%5c..%5coutside.sh", 400),
        ("/%ff", 400),
        ("/notes.txt", 403),
        ("/link.sh", 403),
        ("/missing.sh", 404),
        ("/", 404),
    ] {
        let answer = host.get(target).await;
        assert_eq!(answer.status, status, "GET {target}: {}", answer.text());
        assert!(!answer.text().contains("not a script"), "GET {target}");
    }
    host.stop().await;
}

#[tokio::test]
async fn malformed_or_missing_headers_are_a_500_never_a_pass_through() {
    let scripts = [
        ("none.sh", "#!/bin/sh\necho 'hello, no headers'\n"),
        (
            "half.sh",
            "#!/bin/sh\nprintf 'Content-Type: text/plain\\nthis is not a header\\n\\nbody\\n'\n",
        ),
        ("notype.sh", "#!/bin/sh\nprintf 'X-Thing: 1\\n\\nbody\\n'\n"),
        (
            "status.sh",
            "#!/bin/sh\nprintf 'Status: two hundred\\nContent-Type: text/plain\\n\\nbody\\n'\n",
        ),
        ("noshebang.sh", "echo 'no #! line'\n"),
    ];
    let host = Host::start(&scripts, |_| {}).await;
    for (name, _) in scripts {
        let answer = host.get(&format!("/{name}")).await;
        assert_eq!(answer.status, 500, "{name}: {}", answer.text());
        assert!(!answer.text().contains("body"), "{name}: {}", answer.text());
    }
    host.stop().await;
}

#[tokio::test]
async fn status_and_location_become_the_answer() {
    let scripts = [
        ("gone.py", "#!/usr/bin/env python3\nprint('Status: 410 Gone\\r\\nContent-Type: text/plain\\r\\n\\r\\nit is gone')\n"),
        ("local.sh", "#!/bin/sh\nprintf 'Location: /target.sh?from=local\\n\\n'\n"),
        ("target.sh", "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\ntarget %s %s\\n' \"$REQUEST_METHOD\" \"$QUERY_STRING\"\n"),
        ("away.sh", "#!/bin/sh\nprintf 'Location: https://example.com/\\n\\n'\n"),
        ("loop.sh", "#!/bin/sh\nprintf 'Location: /loop.sh\\n\\n'\n"),
        ("evil.sh", "#!/bin/sh\nprintf 'Location: //evil.example/\\n\\n'\n"),
    ];
    let host = Host::start(&scripts, |_| {}).await;
    if testkit::tool("python3").is_some() {
        let answer = host.get("/gone.py").await;
        assert_eq!((answer.status, answer.text().trim()), (410, "it is gone"));
    }
    let answer = host
        .request("POST", "/local.sh", &[("Content-Length", "0")])
        .await;
    assert_eq!(
        (answer.status, answer.text()),
        (200, "target GET from=local\n".into())
    );
    let answer = host.get("/away.sh").await;
    assert_eq!(answer.status, 302);
    assert_eq!(answer.header("location"), Some("https://example.com/"));
    assert_eq!(host.get("/loop.sh").await.status, 500);
    assert_eq!(host.get("/evil.sh").await.status, 500);
    host.stop().await;
}

/// A script that starts a child and then goes quiet: the idle timeout
/// answers 504 and kills the whole process group, the child included.
#[tokio::test]
async fn a_silent_script_times_out_and_its_whole_group_is_killed() {
    let quiet = "#!/bin/sh\nsleep 300 &\necho $! > sleep.pid\nwait\n";
    let host = Host::start(&[("quiet.sh", quiet)], |config| config.idle_timeout = SHORT).await;
    let answer = host.get("/quiet.sh").await;
    assert_eq!(answer.status, 504, "{}", answer.text());
    let pid = pid_written(&host.root(), "sleep.pid").await;
    testkit::wait::wait_until("the script's child is killed", || {
        std::future::ready(gone(pid))
    })
    .await;
    host.stop().await;
}

/// The timeout is between reads, not for the whole request: a script that
/// writes a line now and then may run longer than the timeout in total.
#[tokio::test]
async fn the_timeout_is_idle_time_between_reads() {
    // Five lines, 0.4 s apart: two seconds in all, against a 1 s timeout.
    let ticker = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nfor i in 1 2 3 4 5; do echo tick $i; sleep 0.4; done\n";
    let host = Host::start(&[("ticker.sh", ticker)], |config| {
        config.idle_timeout = SHORT
    })
    .await;
    let answer = host.get("/ticker.sh").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.text().lines().count(), 5, "{}", answer.text());
    host.stop().await;
}

#[tokio::test]
async fn a_client_that_goes_away_kills_the_script() {
    let stream = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nstarted\\n'\nsleep 300 &\necho $! > sleep.pid\nwait\n";
    let host = Host::start(&[("stream.sh", stream)], |_| {}).await;
    let mut client = tokio::net::TcpStream::connect(host.addr()).await.unwrap();
    client
        .write_all(b"GET /stream.sh HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0; 1024];
    while !String::from_utf8_lossy(&seen).contains("started") {
        let read = testkit::wait::within("the first line", client.read(&mut chunk))
            .await
            .unwrap();
        assert!(read > 0, "closed early: {}", String::from_utf8_lossy(&seen));
        seen.extend_from_slice(&chunk[..read]);
    }
    let pid = pid_written(&host.root(), "sleep.pid").await;
    drop(client);
    testkit::wait::wait_until("the script is killed", || std::future::ready(gone(pid))).await;
    host.stop().await;
}

#[tokio::test]
async fn a_runaway_script_is_cut_off_at_the_output_limit() {
    let runaway = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nexec cat /dev/zero\n";
    let host = Host::start(&[("runaway.sh", runaway)], |config| {
        config.max_output = 1 << 20
    })
    .await;
    // The answer is cut off: the chunked body never ends properly.
    let answer = testkit::http::get(host.addr(), "/runaway.sh").await;
    assert!(answer.is_err(), "a complete answer came back");
    host.stop().await;
}

#[tokio::test]
async fn every_script_is_reaped() {
    let hello = "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\nhi\\n'\n";
    let host = Host::start(&[("hello.sh", hello)], |_| {}).await;
    for _ in 0..300 {
        assert_eq!(host.get("/hello.sh").await.status, 200);
    }
    testkit::wait::wait_until("no zombie children are left", || {
        std::future::ready(zombie_children() == 0)
    })
    .await;
    host.stop().await;
}

#[tokio::test]
async fn mounted_under_a_prefix_like_script_alias() {
    let host = Host::start(&[("env.sh", ENV_SH)], |config| {
        config.mount = "/cgi-bin/".into()
    })
    .await;
    let answer = host.get("/cgi-bin/env.sh/x").await;
    assert_eq!(
        variable(&answer.text(), "SCRIPT_NAME").as_deref(),
        Some("/cgi-bin/env.sh")
    );
    assert_eq!(host.get("/cgi-binary/env.sh").await.status, 404);
    assert_eq!(host.get("/env.sh").await.status, 404);
    host.stop().await;
}
