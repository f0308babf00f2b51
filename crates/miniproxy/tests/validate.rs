//! Requests checked before anything acts on them, sent as raw bytes.

use miniproxy::{Config, Hooks, Running};
use testkit::http::{request_bytes, Answer};

/// miniproxy forwarding everything to a real demo-was, whose `/headers`
/// echoes the headers it received.
async fn proxy_in_front_of_demo_was() -> (Running, demo_was::Running) {
    let app = demo_was::start(demo_was::Options::on_free_port("blue"))
        .await
        .unwrap();
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(app.local_addr().to_string().parse().unwrap()),
        ..Config::default()
    };
    (
        miniproxy::start(config, Hooks::default()).await.unwrap(),
        app,
    )
}

async fn send(proxy: &Running, raw: &str) -> Answer {
    request_bytes(proxy.local_addr(), raw.as_bytes(), false)
        .await
        .unwrap()
}

#[tokio::test]
async fn http_1_1_without_host_is_400() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let answer = send(&proxy, "GET /hello HTTP/1.1\r\nConnection: close\r\n\r\n").await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.text(),
        "400 Bad Request: HTTP/1.1 requires a Host header\n"
    );
    // HTTP/1.0 predates Host: it may go without.
    let old = send(&proxy, "GET /hello HTTP/1.0\r\n\r\n").await;
    assert_eq!(old.status, 200, "{}", old.text());
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn two_host_headers_are_400() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let raw =
        "GET /hello HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n";
    let answer = send(&proxy, raw).await;
    assert_eq!(answer.status, 400);
    assert_eq!(
        answer.text(),
        "400 Bad Request: more than one Host header\n"
    );
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_host_that_is_no_host_is_400() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let raw = "GET /hello HTTP/1.1\r\nHost: a.example/x\r\nConnection: close\r\n\r\n";
    assert_eq!(send(&proxy, raw).await.status, 400);
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn in_absolute_form_the_target_names_the_host() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let raw = "GET http://example.com/headers HTTP/1.1\r\nHost: other.example\r\nConnection: close\r\n\r\n";
    let answer = send(&proxy, raw).await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    // What the application received:
    let text = answer.text();
    assert!(
        text.lines().any(|line| line == "host: example.com"),
        "{text}"
    );
    assert!(!text.contains("other.example"), "{text}");
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_request_target_over_8_kib_is_414() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let raw = format!(
        "GET /hello?{} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
        "q".repeat(9000)
    );
    assert_eq!(send(&proxy, &raw).await.status, 414);
    proxy.stop().await;
    app.stop().await;
}
