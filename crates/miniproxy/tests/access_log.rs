//! The access log, read back from its file: one combined-format line per
//! request, written once the answer has been sent.

use std::path::Path;

use miniproxy::access_log::Destination;
use miniproxy::{Config, Hooks, StaticRules};
use testkit::http as rawhttp;
use testkit::wait::wait_until;

/// One line, split into the fields a log tool would read.
#[derive(Debug)]
struct Line {
    client: String,
    time: String,
    request: String,
    status: String,
    bytes: String,
    referer: String,
    user_agent: String,
    upstream: String,
    upstream_time: String,
}

/// Parses `client - - [time] "request" status bytes "referer" "agent" upstream=… upstream_time=…`.
fn parse(line: &str) -> Line {
    let fail = || panic!("not a combined-format line: {line:?}");
    let (client, rest) = line.split_once(" - - [").unwrap_or_else(fail);
    let (time, rest) = rest.split_once("] \"").unwrap_or_else(fail);
    let (request, rest) = rest.split_once("\" ").unwrap_or_else(fail);
    let (status, rest) = rest.split_once(' ').unwrap_or_else(fail);
    let (bytes, rest) = rest.split_once(" \"").unwrap_or_else(fail);
    let (referer, rest) = rest.split_once("\" \"").unwrap_or_else(fail);
    let (user_agent, rest) = rest.split_once("\" upstream=").unwrap_or_else(fail);
    let (upstream, upstream_time) = rest.split_once(" upstream_time=").unwrap_or_else(fail);
    Line {
        client: client.into(),
        time: time.into(),
        request: request.into(),
        status: status.into(),
        bytes: bytes.into(),
        referer: referer.into(),
        user_agent: user_agent.into(),
        upstream: upstream.into(),
        upstream_time: upstream_time.into(),
    }
}

async fn lines(path: &Path, count: usize) -> Vec<Line> {
    wait_until(&format!("{count} lines in the access log"), || async {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        text.lines().count() >= count
    })
    .await;
    let text = std::fs::read_to_string(path).unwrap();
    text.lines().map(parse).collect()
}

#[tokio::test]
async fn static_and_proxied_requests_are_logged_in_combined_format() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("static")).unwrap();
    std::fs::write(dir.path().join("static/style.css"), "body{}").unwrap();
    let log = dir.path().join("access.log");
    let app = demo_was::start(demo_was::Options::on_free_port("blue"))
        .await
        .unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        root: Some(dir.path().to_path_buf()),
        upstream: Some(app.local_addr().to_string().parse().unwrap()),
        static_rules: StaticRules {
            prefixes: vec!["/static/".into()],
            extensions: vec![],
        },
        access_log: Destination::File(log.clone()),
        ..Config::default()
    };
    let proxy = miniproxy::start(config, Hooks::default()).await.unwrap();
    let addr = proxy.local_addr();

    let headers = [
        ("Referer", "http://example.com/page"),
        ("User-Agent", "test-agent/1.0"),
    ];
    let css = rawhttp::request(addr, "GET", "/static/style.css", &headers)
        .await
        .unwrap();
    assert_eq!(css.status, 200);
    let [first] = &lines(&log, 1).await[..] else {
        panic!("one request, one line")
    };
    assert_eq!(first.client, "127.0.0.1");
    assert_eq!(first.request, "GET /static/style.css HTTP/1.1");
    assert_eq!((&*first.status, &*first.bytes), ("200", "6"));
    assert_eq!(first.referer, "http://example.com/page");
    assert_eq!(first.user_agent, "test-agent/1.0");
    assert_eq!((&*first.upstream, &*first.upstream_time), ("-", "-"));
    // `26/Nov/2026:10:52:47 +0000`
    let time = first.time.as_bytes();
    assert!(
        time.len() == 26 && time[2] == b'/' && time[6] == b'/',
        "{first:?}"
    );
    assert!(first.time.ends_with(" +0000"), "{first:?}");

    let hello = rawhttp::get(addr, "/hello?name=log").await.unwrap();
    assert_eq!(hello.status, 200);
    // Each line is awaited before the next request, so the order is known.
    lines(&log, 2).await;
    let head = rawhttp::request(addr, "HEAD", "/static/style.css", &[])
        .await
        .unwrap();
    assert_eq!(head.status, 200);
    lines(&log, 3).await;
    // The "quote" must not end the field early.
    let quoted = [("User-Agent", "evil\" 200 1")];
    let missing = rawhttp::request(addr, "GET", "/static/none.css", &quoted)
        .await
        .unwrap();
    assert_eq!(missing.status, 404);

    let all = lines(&log, 4).await;
    let proxied = &all[1];
    assert_eq!(proxied.request, "GET /hello?name=log HTTP/1.1");
    assert_eq!(proxied.status, "200");
    assert_eq!(proxied.bytes, hello.body.len().to_string());
    assert_eq!((&*proxied.referer, &*proxied.user_agent), ("-", "-"));
    // Which upstream answered, and in how many seconds (a number, not "-").
    assert_eq!(proxied.upstream, app.local_addr().to_string());
    assert!(
        proxied.upstream_time.parse::<f64>().is_ok(),
        "{}",
        proxied.upstream_time
    );

    let head = &all[2];
    assert_eq!(head.request, "HEAD /static/style.css HTTP/1.1");
    assert_eq!((&*head.status, &*head.bytes), ("200", "0"));

    let missing_line = &all[3];
    assert_eq!(missing_line.status, "404");
    assert_eq!(missing_line.user_agent, "evil\\x22 200 1");
    proxy.stop().await;
    app.stop().await;
}
