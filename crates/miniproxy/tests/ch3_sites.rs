//! Chapter 3's engine behaviour beyond the lab: headers rewritten on the way
//! back (Location, Content-Location, URI, Set-Cookie's Domain), the switch
//! that turns ProxyPassReverse off, the site in the access log, the 421,
//! and `--check`. Real bytes over loopback, to an upstream that answers
//! with exactly the headers each test needs.

use std::net::SocketAddr;
use std::path::Path;

use miniproxy::access_log::Destination;
use miniproxy::config::SiteConfig;
use miniproxy::{Config, Hooks, PoolConfig, StaticRules};
use testkit::http::{self as rawhttp, Answer};
use testkit::wait::wait_until;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// An upstream that answers every request with `302` and the header lines
/// `make(its own address)` returns, then closes the connection.
async fn upstream_answering(make: fn(SocketAddr) -> String) -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let head = make(addr);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let head = head.clone();
            tokio::spawn(async move {
                let mut seen = Vec::new();
                let mut chunk = [0u8; 1024];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&chunk[..n]),
                    }
                }
                let answer = format!(
                    "HTTP/1.1 302 Found\r\n{head}Content-Length: 0\r\nConnection: close\r\n\r\n"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    addr
}

fn site(name: &str, names: &[&str], upstream: SocketAddr) -> SiteConfig {
    SiteConfig {
        name: name.into(),
        names: names.iter().map(|n| n.to_string()).collect(),
        default: false,
        root: None,
        upstream: Some(PoolConfig::single(upstream.to_string().parse().unwrap())),
        routes: Vec::new(),
        static_rules: StaticRules::default(),
        proxy_pass_reverse: true,
        cookie_domain: None,
        access: Default::default(),
        cgi: Vec::new(),
    }
}

async fn start(sites: Vec<SiteConfig>, access_log: Destination) -> miniproxy::Running {
    let config = Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        sites,
        access_log,
        ..Config::default()
    };
    miniproxy::start(config, Hooks::default()).await.unwrap()
}

async fn get(proxy: &miniproxy::Running, host: &str) -> Answer {
    let head = format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
    rawhttp::request_bytes(proxy.local_addr(), head.as_bytes(), false)
        .await
        .unwrap()
}

fn all<'a>(answer: &'a Answer, name: &str) -> Vec<&'a str> {
    answer
        .headers
        .iter()
        .filter(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
        .collect()
}

fn links(addr: SocketAddr) -> String {
    format!(
        "Location: http://{addr}/a\r\nContent-Location: http://{addr}/b?x=1\r\n\
         URI: http://{addr}\r\n\
         Set-Cookie: s=1; Path=/; Domain=127.0.0.1\r\n\
         Set-Cookie: t=2; Domain=other.test\r\n"
    )
}

#[tokio::test]
async fn every_url_header_and_the_cookie_domain_get_the_public_name() {
    let upstream = upstream_answering(links).await;
    let mut app1 = site("app1", &["app1.example.com"], upstream);
    app1.cookie_domain = Some("app1.example.com".into());
    let proxy = start(vec![app1], Destination::Off).await;

    let answer = get(&proxy, "App1.example.com:8080").await;
    assert_eq!(answer.status, 302, "{answer:?}");
    let public = "http://App1.example.com:8080";
    assert_eq!(answer.header("location"), Some(&*format!("{public}/a")));
    assert_eq!(
        answer.header("content-location"),
        Some(&*format!("{public}/b?x=1"))
    );
    assert_eq!(answer.header("uri"), Some(&*format!("{public}/")));
    assert_eq!(
        all(&answer, "set-cookie"),
        [
            "s=1; Path=/; Domain=app1.example.com",
            "t=2; Domain=other.test"
        ],
        "only a Domain naming the upstream's host changes"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn with_proxy_pass_reverse_off_the_headers_pass_unchanged() {
    let upstream = upstream_answering(links).await;
    let mut app1 = site("app1", &["app1.example.com"], upstream);
    app1.proxy_pass_reverse = false;
    let proxy = start(vec![app1], Destination::Off).await;

    let answer = get(&proxy, "app1.example.com").await;
    assert_eq!(
        answer.header("location"),
        Some(&*format!("http://{upstream}/a"))
    );
    assert_eq!(
        all(&answer, "set-cookie"),
        ["s=1; Path=/; Domain=127.0.0.1", "t=2; Domain=other.test"],
        "no cookie_domain: cookies pass as they are"
    );
    proxy.stop().await;
}

#[tokio::test]
async fn the_access_log_names_the_site_and_an_unknown_name_gets_421() {
    let upstream = upstream_answering(|_| String::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("access.log");
    let sites = vec![
        site("app1", &["app1.example.com"], upstream),
        site("wild", &["*.example.com"], upstream),
    ];
    let proxy = start(sites, Destination::File(log.clone())).await;

    assert_eq!(get(&proxy, "app1.example.com").await.status, 302);
    assert_eq!(get(&proxy, "www.example.com").await.status, 302);
    let refused = get(&proxy, "example.com").await;
    assert_eq!(refused.status, 421, "{refused:?}");
    assert!(refused
        .text()
        .contains("no site here is named `example.com`, and there is no default site"));
    assert_eq!(refused.header("server"), Some("miniproxy"));
    // No Host at all (HTTP/1.0), and no default site: 421 too.
    let bare = rawhttp::request_bytes(proxy.local_addr(), b"GET / HTTP/1.0\r\n\r\n", false)
        .await
        .unwrap();
    assert_eq!(bare.status, 421);

    wait_until("four lines in the access log", || async {
        std::fs::read_to_string(&log).is_ok_and(|text| text.lines().count() == 4)
    })
    .await;
    let text = std::fs::read_to_string(&log).unwrap();
    let sites: Vec<&str> = text
        .lines()
        .map(|line| line.rsplit_once(" site=").unwrap().1)
        .collect();
    assert_eq!(sites, ["app1", "wild", "-", "-"], "{text}");
    proxy.stop().await;
}

#[tokio::test]
async fn the_default_site_takes_unknown_names_and_requests_without_host() {
    let upstream = upstream_answering(|_| "X-Site: app1\r\n".into()).await;
    let other = upstream_answering(|_| "X-Site: fallback\r\n".into()).await;
    let mut fallback = site("fallback", &[], other);
    fallback.default = true;
    let proxy = start(
        vec![site("app1", &["app1.example.com"], upstream), fallback],
        Destination::Off,
    )
    .await;
    assert_eq!(
        get(&proxy, "app1.example.com.").await.header("x-site"),
        Some("app1")
    );
    assert_eq!(
        get(&proxy, "nobody.test").await.header("x-site"),
        Some("fallback")
    );
    let bare = rawhttp::request_bytes(proxy.local_addr(), b"GET / HTTP/1.0\r\n\r\n", false)
        .await
        .unwrap();
    assert_eq!(bare.header("x-site"), Some("fallback"));
    proxy.stop().await;
}

#[test]
fn check_prints_which_site_each_name_goes_to() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("sites.toml");
    std::fs::write(
        &config,
        "[[site]]\nname = \"app1\"\nnames = [\"app1.example.com\", \"*.example.com\"]\n\
         upstream = \"127.0.0.1:3000\"\n\
         [[site]]\nname = \"api\"\nnames = [\"*.api.example.com\"]\ndefault = true\n\
         upstream = \"127.0.0.1:3001\"\ncookie_domain = \"api.example.com\"\n",
    )
    .unwrap();
    let output = assert_cmd::Command::cargo_bin("miniproxy")
        .unwrap()
        .arg("--check")
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    for line in [
        "  site:     app1",
        "  site:     api (default)",
        "            app1.example.com -> site app1",
        "            *.example.com (e.g. www.example.com) -> site app1",
        "            *.api.example.com (e.g. www.api.example.com) -> site api",
        "            any other name, or none -> site api",
        "            cookie Domain=<upstream> -> api.example.com",
    ] {
        assert!(
            stdout.lines().any(|l| l == line),
            "missing {line:?} in:\n{stdout}"
        );
    }
}

#[test]
fn the_playground_config_has_no_default_site() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../playground/ch3/miniproxy.toml");
    let config = Config::load(&path).unwrap();
    let names: Vec<_> = config
        .sites
        .iter()
        .map(|s| (s.name.as_str(), s.names.clone()))
        .collect();
    assert_eq!(
        names,
        [
            ("app1", vec!["app1.example.com".to_string()]),
            ("app2", vec!["app2.example.com".to_string()])
        ]
    );
    assert!(config
        .sites
        .iter()
        .all(|s| !s.default && s.proxy_pass_reverse));
}
