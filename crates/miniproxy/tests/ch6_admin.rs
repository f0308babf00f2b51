//! Chapter 6: the admin API switches upstreams live, and SIGHUP re-reads
//! the config; neither drops a request or a connection.

use std::io::Write;
use std::process::Command;

use miniproxy::upstream::PoolConfig;
use miniproxy::{Config, Hooks};
use testkit::http::{self as rawhttp};
use testkit::process::{Process, Signal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

async fn app(profile: &str) -> demo_was::Running {
    demo_was::start(demo_was::Options::on_free_port(profile))
        .await
        .unwrap()
}

async fn front(upstream: &demo_was::Running) -> (miniproxy::Running, miniproxy::Running) {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(PoolConfig::single(
            upstream.local_addr().to_string().parse().unwrap(),
        )),
        ..Config::default()
    };
    let (proxy, live) = miniproxy::start_live(config, Hooks::default())
        .await
        .unwrap();
    let admin = miniproxy::admin::start("127.0.0.1:0".parse().unwrap(), live)
        .await
        .unwrap();
    (proxy, admin)
}

async fn put(admin: &miniproxy::Running, body: &str) -> rawhttp::Answer {
    let raw = format!(
        "PUT /upstreams HTTP/1.1\r\nHost: admin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(admin.local_addr()).await.unwrap();
    rawhttp::exchange(&mut stream, raw.as_bytes())
        .await
        .unwrap()
}

#[tokio::test]
async fn the_admin_api_listens_on_loopback_only() {
    let blue = app("blue").await;
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(PoolConfig::single(
            blue.local_addr().to_string().parse().unwrap(),
        )),
        ..Config::default()
    };
    let (_proxy, live) = miniproxy::start_live(config, Hooks::default())
        .await
        .unwrap();
    let refused = miniproxy::admin::start("0.0.0.0:0".parse().unwrap(), live).await;
    let Err(error) = refused else {
        panic!("a public admin address is refused")
    };
    assert!(error.to_string().contains("loopback only"), "{error}");
}

#[tokio::test]
async fn a_switch_keeps_idle_keepalive_connections_and_lets_requests_in_flight_finish() {
    let (blue, green) = (app("blue").await, app("green").await);
    let (proxy, admin) = front(&blue).await;
    let shown = rawhttp::get(admin.local_addr(), "/upstreams")
        .await
        .unwrap();
    assert_eq!(shown.text(), format!("default: {}\n", blue.local_addr()));

    // A keep-alive client that asked once and now sits idle.
    let mut idle = TcpStream::connect(proxy.local_addr()).await.unwrap();
    let ask = b"GET /profile HTTP/1.1\r\nHost: x\r\n\r\n";
    let first = rawhttp::exchange(&mut idle, ask).await.unwrap();
    assert_eq!(first.text(), "blue\n");
    // A request in flight on blue while the switch happens: its first
    // piece has arrived, the rest comes after the switch.
    let addr = proxy.local_addr();
    let mut slow = TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"GET /slow?ms=800 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let mut chunk = [0u8; 1024];
    testkit::wait::within("the slow answer to start", async {
        while !String::from_utf8_lossy(&received).contains("started") {
            let n = slow.read(&mut chunk).await.unwrap();
            assert!(n > 0, "the slow answer ended early");
            received.extend_from_slice(&chunk[..n]);
        }
    })
    .await;

    let switched = put(&admin, &format!("{}\n", green.local_addr())).await;
    assert_eq!(switched.status, 200, "{}", switched.text());

    // The idle connection is still open, and its next request goes to green.
    let second = rawhttp::exchange(&mut idle, ask)
        .await
        .expect("the idle connection survives");
    assert_eq!(second.text(), "green\n");
    testkit::wait::within("the slow answer to end", slow.read_to_end(&mut received))
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&received);
    assert!(text.contains("done after 800 ms (profile blue)"), "{text}");
    assert_eq!(
        rawhttp::get(addr, "/profile").await.unwrap().text(),
        "green\n"
    );
}

#[tokio::test]
async fn a_bad_switch_is_refused_and_changes_nothing() {
    let blue = app("blue").await;
    let (proxy, admin) = front(&blue).await;
    let refused = put(&admin, "not-an-address\n").await;
    assert_eq!(refused.status, 400);
    let empty = put(&admin, "\n").await;
    assert_eq!(empty.status, 404, "{}", empty.text());
    let unknown = rawhttp::get(admin.local_addr(), "/upstreams?route=/api/")
        .await
        .unwrap();
    assert_eq!(unknown.status, 404);
    assert_eq!(
        rawhttp::get(proxy.local_addr(), "/profile")
            .await
            .unwrap()
            .text(),
        "blue\n"
    );
}

#[tokio::test]
async fn sighup_reloads_a_good_config_and_refuses_a_bad_one() {
    let (blue, green) = (app("blue").await, app("green").await);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("miniproxy.toml");
    let port = testkit::free_port();
    let write = |upstream: &str| {
        let mut file = std::fs::File::create(&path).unwrap();
        write!(
            file,
            "listen = \"127.0.0.1:{port}\"\naccess_log = \"off\"\nupstream = \"{upstream}\"\n"
        )
        .unwrap();
    };
    write(&blue.local_addr().to_string());
    let mut proxy = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_miniproxy"))
            .arg("--config")
            .arg(&path),
    );
    proxy.wait_for_line_containing("listening on");
    let addr = format!("127.0.0.1:{port}").parse().unwrap();
    assert_eq!(
        rawhttp::get(addr, "/profile").await.unwrap().text(),
        "blue\n"
    );

    // A typo: refused with its place in the file; blue keeps serving.
    std::fs::write(
        &path,
        format!("listen = \"127.0.0.1:{port}\"\nupstrem = \"x\"\n"),
    )
    .unwrap();
    proxy.signal(Signal::Hup);
    let line = proxy.wait_for_line_containing("reload refused");
    assert!(line.contains("miniproxy.toml:2:1"), "{line}");
    assert_eq!(
        rawhttp::get(addr, "/profile").await.unwrap().text(),
        "blue\n"
    );

    write(&green.local_addr().to_string());
    proxy.signal(Signal::Hup);
    proxy.wait_for_line_containing("reloaded");
    assert_eq!(
        rawhttp::get(addr, "/profile").await.unwrap().text(),
        "green\n"
    );
    proxy.assert_stops_cleanly();
}

/// With `[[site]]`s (chapter 3) each site has its own pools, and
/// `?site=NAME` switches one site's without touching the others.
#[tokio::test]
async fn a_switch_names_its_site_and_leaves_the_others_alone() {
    let (one, two, green) = (app("one").await, app("two").await, app("green").await);
    let text = format!(
        "listen = \"127.0.0.1:0\"\n\
         [[site]]\nname = \"app1\"\nnames = [\"app1.test\"]\ndefault = true\nupstream = \"{}\"\n\
         [[site]]\nname = \"app2\"\nnames = [\"app2.test\"]\nupstream = \"{}\"\n",
        one.local_addr(),
        two.local_addr()
    );
    let mut config = Config::parse(&text, "test.toml", std::path::Path::new(".")).unwrap();
    config.access_log = miniproxy::access_log::Destination::Off;
    let (proxy, live) = miniproxy::start_live(config, Hooks::default())
        .await
        .unwrap();
    let admin = miniproxy::admin::start("127.0.0.1:0".parse().unwrap(), live)
        .await
        .unwrap();
    let profile_for = |host: &'static str| {
        let addr = proxy.local_addr();
        async move {
            let head =
                format!("GET /profile HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
            let answer = rawhttp::request_bytes(addr, head.as_bytes(), false)
                .await
                .unwrap();
            answer.header("x-profile").unwrap_or("-").to_string()
        }
    };
    assert_eq!(profile_for("app2.test").await, "two");

    let body = green.local_addr().to_string();
    let raw = format!(
        "PUT /upstreams?site=app2 HTTP/1.1\r\nHost: admin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(admin.local_addr()).await.unwrap();
    let answer = rawhttp::exchange(&mut stream, raw.as_bytes())
        .await
        .unwrap();
    assert_eq!(answer.status, 200, "{}", answer.text());

    assert_eq!(profile_for("app2.test").await, "green");
    assert_eq!(profile_for("app1.test").await, "one");
    let unknown = format!(
        "PUT /upstreams?site=nope HTTP/1.1\r\nHost: admin\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(admin.local_addr()).await.unwrap();
    let answer = rawhttp::exchange(&mut stream, unknown.as_bytes())
        .await
        .unwrap();
    assert!(
        answer.text().contains("no site `nope`"),
        "{}",
        answer.text()
    );
    proxy.stop().await;
}
