//! `allow`/`deny` by the client's address, per site and per route (nginx's
//! directives of the same names), with real connections from two loopback
//! addresses: 127.0.0.1 and 127.0.0.2.

use std::net::{IpAddr, SocketAddr};

use miniproxy::{Config, Hooks};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;

/// `GET target` sent from `source` (a loopback address of ours).
async fn get_from(source: &str, proxy: SocketAddr, target: &str) -> (u16, String) {
    let socket = TcpSocket::new_v4().unwrap();
    let source: IpAddr = source.parse().unwrap();
    socket.bind(SocketAddr::new(source, 0)).unwrap();
    let mut stream = socket.connect(proxy).await.unwrap();
    let head = format!("GET {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    testkit::wait::within("the answer", stream.read_to_end(&mut raw))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text[9..12].parse().unwrap();
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("").to_string();
    (status, body)
}

async fn app() -> demo_was::Running {
    demo_was::start(demo_was::Options::on_free_port("blue"))
        .await
        .unwrap()
}

fn config(text: &str) -> Config {
    Config::parse(text, "test.toml", std::path::Path::new(".")).unwrap()
}

#[tokio::test]
async fn a_site_allows_only_what_its_rules_name() {
    let app = app().await;
    let mut config = config(&format!(
        "listen = \"127.0.0.1:0\"\nupstream = \"{}\"\naccess = [\"allow 127.0.0.1\", \"deny all\"]\n",
        app.local_addr()
    ));
    config.access_log = miniproxy::access_log::Destination::Off;
    let proxy = miniproxy::start(config, Hooks::default()).await.unwrap();
    let addr = proxy.local_addr();

    assert_eq!(get_from("127.0.0.1", addr, "/hello").await.0, 200);
    let (status, body) = get_from("127.0.0.2", addr, "/hello").await;
    assert_eq!(status, 403, "{body}");
    assert!(
        body.contains("127.0.0.2 may not use this (rule 2: deny all)"),
        "{body}"
    );
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_route_can_be_closed_to_everyone_but_its_admins() {
    let app = app().await;
    let mut config = config(&format!(
        "listen = \"127.0.0.1:0\"\nupstream = \"{app}\"\n\
         [[route]]\nprefix = \"/admin\"\nupstream = \"{app}\"\naccess = [\"allow 127.0.0.2/32\", \"deny all\"]\n",
        app = app.local_addr()
    ));
    config.access_log = miniproxy::access_log::Destination::Off;
    let proxy = miniproxy::start(config, Hooks::default()).await.unwrap();
    let addr = proxy.local_addr();

    // Everyone reaches the site; only 127.0.0.2 reaches /admin.
    assert_eq!(get_from("127.0.0.1", addr, "/hello").await.0, 200);
    assert_eq!(get_from("127.0.0.1", addr, "/admin/users").await.0, 403);
    // (demo-was has no /admin: its own 404 shows the request got through.)
    let (status, _) = get_from("127.0.0.2", addr, "/admin/users").await;
    assert_eq!(status, 404);
    proxy.stop().await;
    app.stop().await;
}

#[tokio::test]
async fn a_bad_rule_is_named_with_its_place() {
    let error = Config::parse(
        "upstream = \"a:1\"\naccess = [\"allow 127.0.0.1\", \"permit everyone\"]\n",
        "test.toml",
        std::path::Path::new("."),
    )
    .unwrap_err()
    .to_string();
    assert!(error.starts_with("test.toml:2:30:"), "{error}");
    assert!(error.contains("`allow` or `deny`"), "{error}");
}
