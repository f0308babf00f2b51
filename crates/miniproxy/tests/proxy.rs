//! miniproxy in front of a real demo-was: forwarding, headers, failures.

use std::net::SocketAddr;
use std::time::Duration;

use miniproxy::{Config, Hooks, PoolConfig, Running};
use testkit::http::{self as rawhttp, Answer};

/// A proxy with no web root: every request goes to `upstream`.
async fn proxy_to(upstream: SocketAddr, timeout: Duration) -> Running {
    let mut pool: PoolConfig = upstream.to_string().parse().unwrap();
    pool.read_timeout = timeout;
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(pool),
        ..Config::default()
    };
    miniproxy::start(config, Hooks::default()).await.unwrap()
}

/// demo-was (profile "blue") with miniproxy in front of it.
struct Front {
    app: demo_was::Running,
    proxy: Running,
}

impl Front {
    async fn start() -> Front {
        let app = demo_was::start(demo_was::Options::on_free_port("blue"))
            .await
            .unwrap();
        let proxy = proxy_to(app.local_addr(), Duration::from_secs(10)).await;
        Front { app, proxy }
    }

    async fn stop(self) {
        self.proxy.stop().await;
        self.app.stop().await;
    }
}

/// Sends a hand-written request head (to control every header line).
async fn raw(proxy: &Running, head: &[u8]) -> Answer {
    rawhttp::request_bytes(proxy.local_addr(), head, false)
        .await
        .unwrap()
}

#[tokio::test]
async fn dynamic_requests_are_answered_by_the_upstream() {
    let front = Front::start().await;
    let answer = rawhttp::get(front.proxy.local_addr(), "/hello?name=Ada")
        .await
        .unwrap();
    assert_eq!(answer.status, 200);
    assert!(answer.text().contains("Hello, Ada!"), "{}", answer.text());
    assert!(answer.header("server").unwrap().starts_with("demo-was"));
    assert_eq!(answer.header("x-profile"), Some("blue"));
    assert_eq!(answer.header("via"), Some("1.1 miniproxy"));
    // The upstream's own errors pass through untouched.
    let post = rawhttp::request(
        front.proxy.local_addr(),
        "POST",
        "/hello",
        &[("Content-Length", "3")],
    )
    .await
    .unwrap();
    assert_eq!(post.status, 405);
    front.stop().await;
}

#[tokio::test]
async fn the_upstream_learns_the_client_and_the_chain_is_kept() {
    let front = Front::start().await;
    let answer = raw(
        &front.proxy,
        b"GET /headers HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\
          X-Forwarded-For: 203.0.113.9\r\nVia: 1.1 edge\r\n\r\n",
    )
    .await;
    let seen = answer.text();
    assert!(
        seen.contains("x-forwarded-for: 203.0.113.9, 127.0.0.1"),
        "{seen}"
    );
    assert!(seen.contains("x-forwarded-host: shop.example"), "{seen}");
    assert!(seen.contains("x-forwarded-proto: http"), "{seen}");
    assert!(seen.contains("via: 1.1 edge, 1.1 miniproxy"), "{seen}");
    assert!(
        seen.contains("host: shop.example"),
        "the Host header is kept: {seen}"
    );
    front.stop().await;
}

#[tokio::test]
async fn hop_by_hop_headers_do_not_cross_the_proxy() {
    let front = Front::start().await;
    let answer = raw(
        &front.proxy,
        b"GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close, X-Secret-Hop\r\n\
          X-Secret-Hop: 1\r\nKeep-Alive: timeout=5\r\nProxy-Authorization: Basic Zm9v\r\n\
          TE: trailers\r\nX-Kept: yes\r\n\r\n",
    )
    .await;
    let seen = answer.text().to_ascii_lowercase();
    assert!(seen.contains("x-kept: yes"), "{seen}");
    for dropped in ["x-secret-hop", "keep-alive", "proxy-authorization", "\nte:"] {
        assert!(
            !seen.contains(dropped),
            "{dropped} reached the upstream: {seen}"
        );
    }
    front.stop().await;
}

#[tokio::test]
async fn non_ascii_header_values_pass_without_panicking() {
    let front = Front::start().await;
    let answer = raw(
        &front.proxy,
        b"GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\nConnection: caf\xe9\r\n\
          X-Forwarded-For: \xff\r\nX-Name: caf\xe9\r\n\r\n",
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.text());
    // And the proxy still answers afterwards.
    let again = rawhttp::get(front.proxy.local_addr(), "/health")
        .await
        .unwrap();
    assert_eq!(again.status, 200);
    front.stop().await;
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502_that_names_it() {
    // Bind, learn the port, close: nothing listens there any more.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let proxy = proxy_to(closed, Duration::from_secs(10)).await;
    let answer = rawhttp::get(proxy.local_addr(), "/hello").await.unwrap();
    assert_eq!(answer.status, 502);
    assert!(
        answer.text().contains(&closed.to_string()),
        "{}",
        answer.text()
    );
    assert_eq!(answer.header("server"), Some("miniproxy"));
    proxy.stop().await;
}

#[tokio::test]
async fn a_stuck_upstream_is_a_504_not_a_hang() {
    // Accepts connections and never answers.
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = silent.accept().await {
            held.push(stream);
        }
    });
    let proxy = proxy_to(silent_addr, Duration::from_secs(1)).await;
    let answer = rawhttp::get(proxy.local_addr(), "/hello").await.unwrap();
    assert_eq!(answer.status, 504, "{}", answer.text());
    proxy.stop().await;
    holder.abort();
}

#[tokio::test]
async fn stopping_lets_a_request_in_flight_finish() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let Front { app, proxy } = Front::start().await;
    // demo-was's /slow sends its first line at once and the rest later, so
    // the first bytes prove the request is in flight through the proxy.
    let mut client = tokio::net::TcpStream::connect(proxy.local_addr())
        .await
        .unwrap();
    client
        .write_all(b"GET /slow?ms=500 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 1];
    client.read_exact(&mut first).await.unwrap();

    let stopping = tokio::spawn(proxy.stop());
    let mut rest = Vec::new();
    client.read_to_end(&mut rest).await.unwrap();
    let answer = String::from_utf8_lossy(&rest);
    assert!(answer.contains("200 OK"), "{answer}");
    assert!(
        answer.ends_with("0\r\n\r\n"),
        "the body was cut short: {answer}"
    );
    stopping.await.unwrap();
    app.stop().await;
}
