//! What one client may cost: header sizes, and running out of descriptors.

use std::net::SocketAddr;
use std::process::Command;

use miniproxy::{Config, Hooks, Running};
use testkit::http::{self as rawhttp, exchange};
use testkit::wait::wait_until;
use testkit::{tool, Process};
use tokio::net::TcpStream;

/// miniproxy forwarding everything to a real demo-was.
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

#[tokio::test]
async fn a_9_kb_header_line_is_431_and_never_reaches_the_app() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let big = "a".repeat(9 * 1024);
    let answer = rawhttp::request(proxy.local_addr(), "GET", "/hello", &[("X-Big", &big)])
        .await
        .unwrap();
    assert_eq!(answer.status, 431);
    assert_eq!(
        answer.text(),
        "431 Request Header Fields Too Large: the x-big header is longer than 8192 bytes\n"
    );
    // demo-was numbers every greeting it answers: this is its first.
    let hello = rawhttp::get(proxy.local_addr(), "/hello").await.unwrap();
    assert!(hello.text().ends_with("request #1\n"), "{}", hello.text());
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_header_line_just_under_8_kib_is_served() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let long = "a".repeat(8 * 1024 - "X-Long: ".len());
    let answer = rawhttp::request(proxy.local_addr(), "GET", "/hello", &[("X-Long", &long)])
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.text());
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_100_kb_header_line_is_431() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let huge = "a".repeat(100 * 1024);
    // Past the 32 KiB read buffer: hyper stops reading and answers itself.
    let answer = rawhttp::request(proxy.local_addr(), "GET", "/hello", &[("X-Huge", &huge)])
        .await
        .unwrap();
    assert_eq!(answer.status, 431);
    let hello = rawhttp::get(proxy.local_addr(), "/hello").await.unwrap();
    assert!(hello.text().ends_with("request #1\n"), "{}", hello.text());
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn many_headers_adding_up_past_32_kib_are_431() {
    let (proxy, app) = proxy_in_front_of_demo_was().await;
    let value = "a".repeat(4000);
    let names: Vec<String> = (0..10).map(|n| format!("X-Part-{n}")).collect();
    let headers: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), &*value)).collect();
    let answer = rawhttp::request(proxy.local_addr(), "GET", "/hello", &headers)
        .await
        .unwrap();
    assert_eq!(answer.status, 431);
    proxy.stop().await;
    app.stop().await;
}

/// How many descriptors the child may open: about 13 are taken at start
/// (stdio, the runtime's epoll and wakers, the listener, the spare), the
/// rest are for connections.
const OPEN_FILES: usize = 40;

const KEEP_ALIVE_GET: &[u8] = b"GET /missing HTTP/1.1\r\nHost: test\r\n\r\n";

#[tokio::test]
async fn out_of_descriptors_a_client_gets_503_and_serving_resumes() {
    let Some(prlimit) = tool("prlimit") else {
        return;
    };
    let root = tempfile::tempdir().unwrap();
    let mut server = Process::spawn(
        Command::new(prlimit)
            .arg(format!("--nofile={OPEN_FILES}:{OPEN_FILES}"))
            .arg(env!("CARGO_BIN_EXE_miniproxy"))
            .arg("--root")
            .arg(root.path())
            .args(["--listen", "127.0.0.1:0", "--access-log", "off"]),
    );
    let line = server.wait_for_line_containing("listening on");
    let addr: SocketAddr = line.trim()["miniproxy listening on http://".len()..]
        .parse()
        .unwrap();

    // Hold kept-alive connections open until the server runs out.
    let mut held = Vec::new();
    let refused = loop {
        assert!(
            held.len() < OPEN_FILES,
            "{} connections served and no 503: {:#?}",
            held.len(),
            server.seen()
        );
        let mut stream = TcpStream::connect(addr).await.unwrap();
        let answer = exchange(&mut stream, KEEP_ALIVE_GET).await.unwrap();
        match answer.status {
            404 => held.push(stream),
            _ => break answer,
        }
    };
    assert_eq!(refused.status, 503, "{}", refused.text());
    assert_eq!(refused.header("connection"), Some("close"));
    assert_eq!(
        refused.text(),
        "503 Service Unavailable: the server is out of file descriptors\n"
    );

    // Clients leave; the server takes new ones again.
    drop(held);
    wait_until("the server serves again", || async {
        matches!(rawhttp::get(addr, "/missing").await, Ok(answer) if answer.status == 404)
    })
    .await;
    server.assert_stops_cleanly();
}
