//! Chapter 8: HTTPS in front, for real.
//!
//! * The chapter's seed (chapter 3's two sites, app1 and app2, two
//!   demo-was) behind HTTPS three ways: miniproxy with
//!   `playground/ch8/miniproxy.toml`, the real nginx with
//!   `playground/ch8/nginx.conf`, the real Apache httpd with
//!   `playground/ch8/apache.conf`, all with the same local-CA certificates.
//!   The real curl checks, for each: every name gets its own certificate
//!   (trusted through `--cacert`), HTTP/2 is negotiated, the application
//!   hears `X-Forwarded-Proto: https`, and plain HTTP redirects to the
//!   same URL on HTTPS.
//! * `--check` names the file and the reason for a key that is not the
//!   certificate's, an expired certificate, and a missing file.
//! * `miniproxy cert` writes private keys readable by their owner only.
//! * SIGHUP reads the certificates again: a renewed one is served to new
//!   connections while an open connection keeps working, and a bad one is
//!   refused while the old one keeps serving.
//!
//! Only with the `tls` feature (`cargo test -p miniproxy --all-features`).

#![cfg(feature = "tls")]

mod support;

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use miniproxy::tls::local_ca;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use support::peers;
use testkit::{free_port, tool, wait_until_listening, Process, Signal};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const MINIPROXY_SITE: &str = include_str!("../../../playground/ch8/miniproxy.toml");
const NGINX_SITE: &str = include_str!("../../../playground/ch8/nginx.conf");
const APACHE_SITE: &str = include_str!("../../../playground/ch8/apache.conf");

/// The two applications of chapter 3, a temporary folder with the local CA
/// and a certificate per name, as `miniproxy cert` makes them.
struct Stage {
    dir: tempfile::TempDir,
    _apps: Vec<demo_was::Running>,
    addrs: [SocketAddr; 2],
}

impl Stage {
    async fn new() -> Stage {
        let app1 = demo_was::start(demo_was::Options::on_free_port("app1"))
            .await
            .unwrap();
        let app2 = demo_was::start(demo_was::Options::on_free_port("app2"))
            .await
            .unwrap();
        let addrs = [app1.local_addr(), app2.local_addr()];
        let dir = tempfile::tempdir().unwrap();
        // Started as root, nginx and Apache switch to an unprivileged user.
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let certs = dir.path().join("certs");
        local_ca::ensure_ca(&certs).unwrap();
        for name in ["app1.localhost", "app2.localhost"] {
            local_ca::issue(&certs, &[name.to_string()]).unwrap();
        }
        Stage {
            dir,
            _apps: vec![app1, app2],
            addrs,
        }
    }

    fn tmp(&self) -> &Path {
        self.dir.path()
    }

    fn ca(&self) -> PathBuf {
        local_ca::ca_paths(&self.tmp().join("certs")).0
    }

    /// The chapter's file with `swaps` made, each of which must be there.
    fn adapt(&self, site: &str, swaps: &[(&str, String)]) -> String {
        let mut adapted = site.to_string();
        let mut all = swaps.to_vec();
        all.push(("localhost:3000", self.addrs[0].to_string()));
        all.push(("localhost:8080", self.addrs[1].to_string()));
        for (chapter, here) in &all {
            assert!(
                adapted.contains(chapter),
                "the chapter's config changed shape: {chapter}"
            );
            adapted = adapted.replace(chapter, here);
        }
        adapted
    }

    /// The three checks against a server with HTTP on `http` and HTTPS on
    /// `https`; every difference is collected, so one run shows them all.
    async fn check(&self, server: &str, http: SocketAddr, https: SocketAddr) {
        wait_until_listening(https, Duration::from_secs(10), server);
        let Some(curl) = tool("curl") else {
            return;
        };
        let ca = self.ca().display().to_string();
        let mut wrong = Vec::new();
        for (name, profile) in [("app1.localhost", "app1"), ("app2.localhost", "app2")] {
            let resolve = |port: u16| format!("{name}:{port}:127.0.0.1");
            // HTTPS, HTTP/2, the right certificate, trusted by the local CA.
            let out = run_curl(
                &curl,
                &[
                    "-v",
                    "--http2",
                    "--cacert",
                    &ca,
                    "--resolve",
                    &resolve(https.port()),
                    "-w",
                    "\n%{http_version} %{http_code} %header{x-profile}",
                    &format!("https://{name}:{}/headers", https.port()),
                ],
            )
            .await;
            let subject = out.stderr.lines().find_map(|l| {
                l.trim_start_matches('*')
                    .trim()
                    .strip_prefix("subject: CN=")
                    .map(str::to_string)
            });
            if subject.as_deref() != Some(name) {
                wrong.push(format!("{name}: certificate {subject:?} ({})", out.error()));
            }
            let last = out.stdout.lines().last().unwrap_or("").to_string();
            if last != format!("2 200 {profile}") {
                wrong.push(format!(
                    "{name}: expected `2 200 {profile}` (HTTP/2, 200, from {profile}), got `{last}` ({})",
                    out.error()
                ));
            }
            let forwarded = out.stdout.to_ascii_lowercase();
            if !forwarded.contains("x-forwarded-proto: https") {
                wrong.push(format!(
                    "{name}: the application did not hear X-Forwarded-Proto: https"
                ));
            }
            // Plain HTTP: a permanent redirect to the same URL on HTTPS.
            let out = run_curl(
                &curl,
                &[
                    "--resolve",
                    &resolve(http.port()),
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code} %header{location}",
                    &format!("http://{name}:{}/hello?x=1&y=2", http.port()),
                ],
            )
            .await;
            let want = format!("https://{name}:{}/hello?x=1&y=2", https.port());
            let got = out.stdout.trim();
            let redirected = (got.starts_with("301 ") || got.starts_with("308 "))
                && got.ends_with(&format!(" {want}"));
            if !redirected {
                wrong.push(format!(
                    "{name}: plain HTTP: expected 301/308 to {want}, got `{got}` ({})",
                    out.error()
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{server} behind HTTPS:\n  {}",
            wrong.join("\n  ")
        );
    }
}

struct Seen {
    stdout: String,
    stderr: String,
}

impl Seen {
    fn error(&self) -> String {
        self.stderr
            .lines()
            .rfind(|l| l.starts_with("curl:"))
            .unwrap_or("")
            .to_string()
    }
}

/// curl, off the async workers: the servers run in this test's runtime.
async fn run_curl(curl: &Path, args: &[&str]) -> Seen {
    let curl = curl.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let output = Command::new(&curl)
            .args(["--silent", "--show-error", "--max-time", "10"])
            .args(&args)
            .output()
            .expect("curl runs");
        Seen {
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .unwrap()
}

fn loopback() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], free_port()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miniproxy_with_the_playground_config_serves_both_sites_over_https() {
    let stage = Stage::new().await;
    let text = stage.adapt(
        MINIPROXY_SITE,
        &[
            ("127.0.0.1:8000", "127.0.0.1:0".into()),
            ("127.0.0.1:8443", "127.0.0.1:0".into()),
        ],
    );
    let mut config = miniproxy::Config::parse(&text, "miniproxy.toml", stage.tmp()).unwrap();
    config.access_log = miniproxy::access_log::Destination::Off;
    let servers = miniproxy::start_servers(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    let https = servers.https_addr().unwrap();
    stage
        .check("miniproxy", servers.http.local_addr(), https)
        .await;
    servers.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chapter_8_nginx_config_serves_both_sites_over_https() {
    let stage = Stage::new().await;
    let (http, https) = (loopback(), loopback());
    let site = stage.adapt(
        NGINX_SITE,
        &[
            (
                "listen 443 ssl http2;",
                format!("listen {https} ssl http2;"),
            ),
            ("listen 80;", format!("listen {http};")),
            (
                "https://$host$request_uri",
                format!("https://$host:{}$request_uri", https.port()),
            ),
        ],
    );
    let Some(_nginx) = peers::nginx(stage.tmp(), https, &site, "") else {
        return;
    };
    wait_until_listening(http, Duration::from_secs(10), "nginx (http)");
    stage.check("nginx", http, https).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chapter_8_apache_config_serves_both_sites_over_https() {
    let stage = Stage::new().await;
    let (http, https) = (loopback(), loopback());
    let mut swaps = vec![("*:443", https.to_string()), ("*:80", http.to_string())];
    for name in ["app1.localhost", "app2.localhost"] {
        let chapter: &'static str = if name == "app1.localhost" {
            "https://app1.localhost/"
        } else {
            "https://app2.localhost/"
        };
        swaps.push((chapter, format!("https://{name}:{}/", https.port())));
    }
    let site = stage.adapt(APACHE_SITE, &swaps);
    let modules = [
        "ssl",
        "socache_shmcb",
        "http2",
        "proxy",
        "proxy_http",
        "headers",
        "alias",
    ];
    let extra = format!("Listen {https}\n");
    let Some(_apache) = peers::apache(stage.tmp(), http, &site, &modules, &extra) else {
        return;
    };
    stage.check("apache", http, https).await;
}

/// A config with one HTTPS site using `cert` and `key`, in `dir`.
fn write_config(dir: &Path, cert: &Path, key: &Path) -> PathBuf {
    let root = dir.join("public");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(root.join("index.html"), "hello over TLS\n").unwrap();
    let config = dir.join("miniproxy.toml");
    std::fs::write(
        &config,
        format!(
            "listen = \"127.0.0.1:0\"\nlisten_https = \"127.0.0.1:0\"\naccess_log = \"off\"\n\
             [[site]]\nnames = [\"app1.localhost\"]\ndefault = true\nroot = \"public\"\n\
             tls_cert = \"{}\"\ntls_key = \"{}\"\n",
            cert.display(),
            key.display()
        ),
    )
    .unwrap();
    config
}

fn check(config: &Path) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_miniproxy"))
        .arg("--check")
        .arg("--config")
        .arg(config)
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn check_names_the_key_that_does_not_match_its_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    local_ca::ensure_ca(&certs).unwrap();
    let (cert1, _) = local_ca::issue(&certs, &["app1.localhost".into()]).unwrap();
    let (_, key2) = local_ca::issue(&certs, &["app2.localhost".into()]).unwrap();
    let (ok, stderr) = check(&write_config(dir.path(), &cert1, &key2));
    assert!(!ok, "--check passed a key that is not the certificate's");
    assert!(
        stderr.contains(&key2.display().to_string())
            && stderr.contains("does not match the certificate"),
        "{stderr}"
    );
}

#[test]
fn check_names_an_expired_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    local_ca::ensure_ca(&certs).unwrap();
    let now = local_ca::now();
    let day = 24 * 60 * 60;
    let (cert, key) = local_ca::issue_valid(
        &certs,
        &["app1.localhost".into()],
        now - 30 * day,
        now - day,
    )
    .unwrap();
    let (ok, stderr) = check(&write_config(dir.path(), &cert, &key));
    assert!(!ok, "--check passed an expired certificate");
    assert!(
        stderr.contains(&cert.display().to_string()) && stderr.contains("expired"),
        "{stderr}"
    );
}

#[test]
fn check_names_a_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("certs/nowhere.pem");
    let (ok, stderr) = check(&write_config(dir.path(), &missing, &missing));
    assert!(!ok, "--check passed a missing certificate");
    assert!(
        stderr.contains(&missing.display().to_string()) && stderr.contains("No such file"),
        "{stderr}"
    );
}

#[test]
fn cert_writes_private_keys_readable_by_their_owner_only() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    let output = Command::new(env!("CARGO_BIN_EXE_miniproxy"))
        .args(["cert", "--dir"])
        .arg(&certs)
        .args(["app1.localhost", "*.example.test"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("--cacert"),
        "says how to trust it: {stdout}"
    );
    let mode = |name: &str| {
        std::fs::metadata(certs.join(name))
            .unwrap_or_else(|e| panic!("{name}: {e}"))
            .permissions()
            .mode()
            & 0o777
    };
    for key in [
        "ca-key.pem",
        "app1.localhost-key.pem",
        "_wildcard.example.test-key.pem",
    ] {
        assert_eq!(mode(key), 0o600, "{key} must be 0600");
    }
    for cert in ["ca.pem", "app1.localhost.pem", "_wildcard.example.test.pem"] {
        assert_eq!(mode(cert), 0o644, "{cert} is public");
    }
}

/// A TLS client trusting the local CA `ca`, naming `app1.localhost`.
async fn connect(
    ca: &Path,
    addr: SocketAddr,
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_file(ca).unwrap())
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from("app1.localhost").unwrap();
    connector.connect(name, tcp).await.unwrap()
}

/// The DER of the certificate the server presented on `tls`.
fn presented(tls: &tokio_rustls::client::TlsStream<tokio::net::TcpStream>) -> Vec<u8> {
    tls.get_ref().1.peer_certificates().unwrap()[0].to_vec()
}

/// `GET /index.html` on an open keep-alive connection: the status line.
async fn get(tls: &mut tokio_rustls::client::TlsStream<tokio::net::TcpStream>) -> String {
    tls.write_all(b"GET /index.html HTTP/1.1\r\nHost: app1.localhost\r\n\r\n")
        .await
        .unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    // Headers, then a body of Content-Length bytes.
    loop {
        let n = tls.read(&mut buf).await.unwrap();
        assert!(n > 0, "the connection closed");
        answer.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&answer).to_string();
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text
                .lines()
                .find_map(|l| {
                    l.to_ascii_lowercase()
                        .strip_prefix("content-length: ")
                        .map(|v| v.trim().parse().unwrap())
                })
                .unwrap_or(0);
            if answer.len() >= end + 4 + length {
                return text.lines().next().unwrap().to_string();
            }
        }
    }
}

fn serve(config: &Path) -> (Process, SocketAddr) {
    let mut proxy = Process::spawn(
        Command::new(env!("CARGO_BIN_EXE_miniproxy"))
            .arg("--config")
            .arg(config),
    );
    let line = proxy.wait_for_line_containing("listening on https://");
    let addr = line
        .rsplit("https://")
        .next()
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (proxy, addr)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_serves_a_renewed_certificate_and_keeps_open_connections() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    local_ca::ensure_ca(&certs).unwrap();
    let (cert, key) = local_ca::issue(&certs, &["app1.localhost".into()]).unwrap();
    let (ca, _) = local_ca::ca_paths(&certs);
    let (mut proxy, addr) = serve(&write_config(dir.path(), &cert, &key));

    let mut open = connect(&ca, addr).await;
    let before = presented(&open);
    assert_eq!(get(&mut open).await, "HTTP/1.1 200 OK");

    // The renewal: a new certificate and key in the same files.
    local_ca::issue(&certs, &["app1.localhost".into()]).unwrap();
    proxy.signal(Signal::Hup);
    proxy.wait_for_line_containing("certificate(s) read again");

    // The connection opened before the reload still works...
    assert_eq!(get(&mut open).await, "HTTP/1.1 200 OK");
    assert_eq!(presented(&open), before);
    // ...and a new one gets the renewed certificate.
    let mut fresh = connect(&ca, addr).await;
    assert_ne!(
        presented(&fresh),
        before,
        "the renewed certificate is served"
    );
    assert_eq!(get(&mut fresh).await, "HTTP/1.1 200 OK");
    proxy.signal(Signal::Term);
    proxy.assert_stops_cleanly();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_refuses_a_bad_certificate_and_the_old_one_keeps_serving() {
    let dir = tempfile::tempdir().unwrap();
    let certs = dir.path().join("certs");
    local_ca::ensure_ca(&certs).unwrap();
    let (cert, key) = local_ca::issue(&certs, &["app1.localhost".into()]).unwrap();
    let (ca, _) = local_ca::ca_paths(&certs);
    let (mut proxy, addr) = serve(&write_config(dir.path(), &cert, &key));
    let good = presented(&connect(&ca, addr).await);

    // A botched renewal: a new certificate, but the key is another one's.
    let (_, other_key) = local_ca::issue(&certs, &["other.localhost".into()]).unwrap();
    local_ca::issue(&certs, &["app1.localhost".into()]).unwrap();
    std::fs::copy(&other_key, &key).unwrap();
    proxy.signal(Signal::Hup);
    let line = proxy.wait_for_line_containing("reload refused");
    assert!(line.contains("does not match"), "{line}");

    let mut after = connect(&ca, addr).await;
    assert_eq!(presented(&after), good, "the old certificate keeps serving");
    assert_eq!(get(&mut after).await, "HTTP/1.1 200 OK");
    proxy.signal(Signal::Term);
    proxy.assert_stops_cleanly();
}
