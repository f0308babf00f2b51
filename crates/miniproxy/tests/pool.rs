//! miniproxy in front of a pool of upstreams: balancing, health checks,
//! retries and timeouts, each shown with real requests over loopback.

mod support;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use miniproxy::upstream::health::ActiveCheck;
use miniproxy::upstream::{parse_server, PoolConfig};
use miniproxy::{Config, Hooks, Running, Strategy};
use support::upstream::TestUpstream;
use testkit::http::{self as rawhttp, Answer};
use testkit::wait::wait_until;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A pool of `servers` ("addr" or "addr weight=N") with every default.
fn pool_of(servers: &[String]) -> PoolConfig {
    let mut pool = PoolConfig::single("127.0.0.1:1".parse().unwrap());
    pool.servers = servers.iter().map(|s| parse_server(s).unwrap()).collect();
    pool
}

async fn proxy(pool: PoolConfig) -> Running {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(pool),
        ..Config::default()
    };
    miniproxy::start(config, Hooks::default()).await.unwrap()
}

async fn get(proxy: &Running, target: &str) -> Answer {
    rawhttp::get(proxy.local_addr(), target).await.unwrap()
}

/// Which upstream answered each of `n` GETs, counted by name.
async fn spread(proxy: &Running, n: usize) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for _ in 0..n {
        let answer = get(proxy, "/").await;
        assert_eq!(answer.status, 200, "{}", answer.text());
        *counts.entry(answer.text()).or_insert(0) += 1;
    }
    counts
}

async fn three() -> [TestUpstream; 3] {
    [
        TestUpstream::start("a").await,
        TestUpstream::start("b").await,
        TestUpstream::start("c").await,
    ]
}

fn addrs(upstreams: &[TestUpstream]) -> Vec<String> {
    upstreams.iter().map(|u| u.addr().to_string()).collect()
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test]
async fn round_robin_spreads_requests_evenly() {
    let upstreams = three().await;
    let proxy = proxy(pool_of(&addrs(&upstreams))).await;
    assert_eq!(
        spread(&proxy, 30).await,
        counts(&[("a", 10), ("b", 10), ("c", 10)])
    );
    proxy.stop().await;
}

#[tokio::test]
async fn weights_give_an_upstream_more_turns() {
    let upstreams = three().await;
    let servers = [
        format!("{} weight=3", upstreams[0].addr()),
        upstreams[1].addr().to_string(),
        upstreams[2].addr().to_string(),
    ];
    let proxy = proxy(pool_of(&servers)).await;
    assert_eq!(
        spread(&proxy, 25).await,
        counts(&[("a", 15), ("b", 5), ("c", 5)])
    );
    proxy.stop().await;
}

#[tokio::test]
async fn least_connections_keeps_new_requests_off_a_busy_upstream() {
    let upstreams = three().await;
    let mut pool = pool_of(&addrs(&upstreams));
    pool.strategy = Strategy::LeastConnections;
    let proxy = proxy(pool).await;
    let addr = proxy.local_addr();

    // The first request of an idle pool goes to `a` and is held there.
    let held = tokio::spawn(async move { rawhttp::get(addr, "/hold").await.unwrap() });
    wait_until("the held request reaches a", || async {
        upstreams[0].requests() == 1
    })
    .await;

    // While it is in flight, `a` is the busiest: nothing else goes there.
    assert_eq!(spread(&proxy, 10).await, counts(&[("b", 5), ("c", 5)]));

    upstreams[0].controls.gate.add_permits(1);
    assert_eq!(held.await.unwrap().text(), "released");
    proxy.stop().await;
}

#[tokio::test]
async fn a_stopped_upstream_costs_no_failed_get() {
    let upstreams = three().await;
    let proxy = proxy(pool_of(&addrs(&upstreams))).await;
    let [a, b, c] = upstreams;
    b.stop().await;
    // Every GET succeeds: the one sent to `b` finds no listener, is tried
    // again on another upstream, and `b` sits out after that failure.
    let spread = spread(&proxy, 30).await;
    assert_eq!(spread.values().sum::<usize>(), 30);
    assert!(!spread.contains_key("b"), "{spread:?}");
    proxy.stop().await;
    a.stop().await;
    c.stop().await;
}

#[tokio::test]
async fn no_healthy_upstream_is_a_502_naming_the_pool() {
    let upstreams = three().await;
    let mut pool = pool_of(&addrs(&upstreams));
    pool.name = "shop".into();
    let proxy = proxy(pool).await;
    for upstream in upstreams {
        upstream.stop().await;
    }
    let answer = get(&proxy, "/").await;
    assert_eq!(answer.status, 502);
    assert!(answer.text().contains("pool `shop`"), "{}", answer.text());
    proxy.stop().await;
}

#[tokio::test]
async fn active_checks_take_an_upstream_out_and_bring_it_back() {
    let upstreams = three().await;
    let mut pool = pool_of(&addrs(&upstreams));
    // No passive health: only the checks decide.
    pool.passive.max_fails = 0;
    pool.active = Some(ActiveCheck {
        path: "/health".into(),
        interval_ms: 50,
        rise: 2,
        fall: 2,
    });
    let proxy = proxy(pool).await;

    // `c` still answers requests, but says it is unhealthy.
    upstreams[2].controls.healthy.store(false, Ordering::SeqCst);
    wait_until("the checks take c out", || async {
        let before = upstreams[2].requests();
        spread(&proxy, 6).await;
        upstreams[2].requests() == before
    })
    .await;
    assert_eq!(spread(&proxy, 10).await, counts(&[("a", 5), ("b", 5)]));

    upstreams[2].controls.healthy.store(true, Ordering::SeqCst);
    wait_until("the checks bring c back", || async {
        spread(&proxy, 6).await.contains_key("c")
    })
    .await;
    proxy.stop().await;
}

/// A listener that reads a request and then closes without answering: the
/// request reached an upstream, which failed.
async fn reads_then_hangs_up() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let mut buffer = [0u8; 4096];
            let _ = stream.read(&mut buffer).await;
            drop(stream);
        }
    });
    addr
}

#[tokio::test]
async fn a_failed_get_is_retried_elsewhere_but_a_post_is_not() {
    let broken = reads_then_hangs_up().await;
    let healthy = TestUpstream::start("b").await;
    let mut pool = pool_of(&[broken.to_string(), healthy.addr().to_string()]);
    pool.passive.max_fails = 0; // keep `broken` in the pool for the POST
    let proxy = proxy(pool).await;

    // Turn 0 goes to the broken upstream; a GET means the same twice, so
    // the proxy sends it again to `b`.
    let answer = get(&proxy, "/").await;
    assert_eq!((answer.status, answer.text().as_str()), (200, "b"));

    // Turn 2 goes to the broken upstream again. A POST that reached it may
    // have had its effect: sending it to `b` too could do it twice.
    let _ = get(&proxy, "/").await; // turn 1: b
    let before = healthy.requests();
    let answer = rawhttp::request_bytes(
        proxy.local_addr(),
        b"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc",
        false,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 502, "{}", answer.text());
    assert_eq!(
        healthy.requests(),
        before,
        "the POST must not be sent to b after the failure"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn a_slow_upload_is_not_a_gateway_timeout() {
    let upstream = TestUpstream::start("a").await;
    let mut pool = pool_of(&[upstream.addr().to_string()]);
    pool.read_timeout = Duration::from_millis(300);
    let proxy = proxy(pool).await;

    // 20 chunks, 50 ms apart: the upload takes a second, three times the
    // read timeout, but the upstream is never silent once it has it all.
    let mut stream = TcpStream::connect(proxy.local_addr()).await.unwrap();
    stream
        .write_all(b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    for _ in 0..20 {
        stream.write_all(b"400\r\n").await.unwrap();
        stream.write_all(&[b'x'; 0x400]).await.unwrap();
        stream.write_all(b"\r\n").await.unwrap();
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stream.write_all(b"0\r\n\r\n").await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.ends_with("20480"), "{answer}");
    proxy.stop().await;
}

#[tokio::test]
async fn an_answer_that_stalls_half_way_is_cut() {
    let upstream = TestUpstream::start("a").await;
    let mut pool = pool_of(&[upstream.addr().to_string()]);
    pool.read_timeout = Duration::from_millis(200);
    let proxy = proxy(pool).await;

    let mut stream = TcpStream::connect(proxy.local_addr()).await.unwrap();
    stream
        .write_all(b"GET /stall HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The client is not left hanging: the connection ends, short of the
    // 100 bytes promised (an error or an early end, never a wait forever).
    let mut received = Vec::new();
    let read = testkit::wait::within(
        "the stalled answer to be cut",
        stream.read_to_end(&mut received),
    )
    .await;
    let text = String::from_utf8_lossy(&received);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.ends_with("0123456789") || read.is_err(), "{text}");
    proxy.stop().await;
}

#[tokio::test]
async fn a_malformed_chunked_body_is_the_clients_400() {
    let upstream = TestUpstream::start("a").await;
    let proxy = proxy(pool_of(&[upstream.addr().to_string()])).await;
    let answer = rawhttp::request_bytes(
        proxy.local_addr(),
        b"POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\nnot hex\r\n0\r\n\r\n",
        false,
    )
    .await
    .unwrap();
    assert_eq!(answer.status, 400, "{}", answer.text());
    proxy.stop().await;
}

#[tokio::test]
async fn an_unasked_protocol_switch_is_not_passed_on() {
    let upstream = TestUpstream::start("a").await;
    let proxy = proxy(pool_of(&[upstream.addr().to_string()])).await;
    let answer = get(&proxy, "/switch").await;
    assert_eq!(answer.status, 502, "{}", answer.text());
    proxy.stop().await;
}

#[tokio::test]
async fn a_websocket_upgrade_is_proxied_both_ways() {
    let upstream = TestUpstream::start("a").await;
    let proxy = proxy(pool_of(&[upstream.addr().to_string()])).await;
    let mut stream = TcpStream::connect(proxy.local_addr()).await.unwrap();
    stream
        .write_all(
            b"GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\
              Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
        )
        .await
        .unwrap();
    let mut head = Vec::new();
    while !head.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        testkit::wait::within("the 101 answer", stream.read_exact(&mut byte))
            .await
            .unwrap();
        head.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&head).to_ascii_lowercase();
    assert!(head.starts_with("http/1.1 101"), "{head}");
    assert!(head.contains("upgrade: websocket"), "{head}");
    // From here on the proxy copies bytes, whatever they are.
    stream.write_all(b"ping through the proxy").await.unwrap();
    let mut echo = [0u8; 22];
    testkit::wait::within("the echo", stream.read_exact(&mut echo))
        .await
        .unwrap();
    assert_eq!(&echo, b"ping through the proxy");
    proxy.stop().await;
}

#[tokio::test]
async fn forwarded_and_host_options_shape_what_the_upstream_sees() {
    let upstream = TestUpstream::start("a").await;
    let mut pool = pool_of(&[upstream.addr().to_string()]);
    pool.forwarded = true;
    pool.host = miniproxy::upstream::HostHeader::Upstream;
    let proxy = proxy(pool).await;
    let answer = rawhttp::request(proxy.local_addr(), "GET", "/headers", &[])
        .await
        .unwrap();
    let seen = answer.text();
    let public = proxy.local_addr();
    assert!(
        seen.contains(&format!("host: {}", upstream.addr())),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("x-forwarded-host: {public}")),
        "{seen}"
    );
    assert!(
        seen.contains(&format!(
            "forwarded: for=127.0.0.1;proto=http;host=\"{public}\""
        )),
        "{seen}"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn a_route_prefix_has_a_pool_of_its_own() {
    let app = TestUpstream::start("app").await;
    let api = TestUpstream::start("api").await;
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(pool_of(&[app.addr().to_string()])),
        routes: vec![miniproxy::config::RouteConfig {
            prefix: "/api/".into(),
            upstream: pool_of(&[api.addr().to_string()]),
            access: Default::default(),
        }],
        ..Config::default()
    };
    let proxy = miniproxy::start(config, Hooks::default()).await.unwrap();
    for (target, expected) in [
        ("/api/users", "api"),
        ("/api", "api"),
        ("/apis", "app"),
        ("/", "app"),
    ] {
        let answer = get(&proxy, target).await;
        assert_eq!(answer.header("x-upstream"), Some(expected), "GET {target}");
    }
    proxy.stop().await;
}
