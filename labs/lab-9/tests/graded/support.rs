//! The test bench: a local CA, one certificate per site, the real
//! miniproxy on two loopback ports (HTTP and HTTPS) with your function,
//! and the real curl.

#![allow(dead_code)] // each test module uses a different part of it

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;

use miniproxy::config::{HttpsConfig, SiteConfig, SiteHttps};
use miniproxy::tls::local_ca;
use miniproxy::{Config, Hooks, StaticRules};
use testkit::graded::Failure;

/// Which of your functions the proxy runs; the other is miniproxy's.
#[derive(Clone, Copy)]
pub enum Yours {
    SelectCertificate,
    HttpsRedirect,
}

/// The sites, in this order (a wildcard comes before the exact name it
/// must not shadow). Each serves a page naming itself and has a
/// certificate for its names. `fallback` is the default site when the
/// bench has one; its certificate also names 127.0.0.1, for clients
/// that send no name.
pub const SITES: [(&str, &[&str]); 4] = [
    ("wild", &["*.example.test"]),
    ("app1", &["app1.example.test"]),
    ("app2", &["app2.example.test"]),
    ("fallback", &["fallback.test"]),
];

pub struct Bench {
    pub servers: miniproxy::Servers,
    pub curl: PathBuf,
    dir: tempfile::TempDir,
}

/// What curl saw: its exit status, the answer's body, and its `-v` log.
pub struct Seen {
    pub ok: bool,
    pub stdout: String,
    pub stderr: String,
}

impl Seen {
    /// The common name of the certificate the server sent (`CN=app1…`).
    pub fn certificate(&self) -> Option<String> {
        self.stderr.lines().find_map(|line| {
            let subject = line
                .trim_start_matches('*')
                .trim()
                .strip_prefix("subject:")?;
            let cn = subject
                .split(['/', ','])
                .find_map(|part| part.trim().strip_prefix("CN="))?;
            Some(cn.trim().to_string())
        })
    }

    /// curl's own error line, when it failed.
    pub fn error(&self) -> String {
        self.stderr
            .lines()
            .rfind(|line| line.starts_with("curl:"))
            .unwrap_or("curl failed without saying why")
            .to_string()
    }

    /// "the certificate for app1.example.test" or what went wrong.
    pub fn describe_certificate(&self) -> String {
        match self.certificate() {
            Some(cn) => format!("the certificate of {cn}"),
            None => format!(
                "no certificate: the handshake was refused ({})",
                self.error()
            ),
        }
    }
}

fn hooks(yours: Yours) -> Hooks {
    match yours {
        Yours::SelectCertificate => Hooks {
            select_certificate: lab_9::select_certificate,
            ..Hooks::default()
        },
        Yours::HttpsRedirect => Hooks {
            https_redirect: lab_9::https_redirect,
            ..Hooks::default()
        },
    }
}

impl Bench {
    /// The four sites of [`SITES`]; `fallback` is the default site when
    /// `with_default`. Every site redirects plain HTTP to HTTPS; redirects
    /// name `public_port` when given, else the real HTTPS port. `None`
    /// (after a `skipped:` line) when curl is missing.
    pub async fn start(
        yours: Yours,
        with_default: bool,
        public_port: Option<u16>,
    ) -> Option<Bench> {
        let curl = testkit::tool("curl")?;
        // Your `todo!()` panics inside the server: one line each, never a
        // backtrace, whatever RUST_BACKTRACE says.
        testkit::graded::quiet_panics();
        let dir = tempfile::tempdir().expect("a temporary folder");
        let certs = dir.path().join("certs");
        local_ca::ensure_ca(&certs).expect("the local CA is made");
        let mut sites = Vec::new();
        let mut https = Vec::new();
        for (name, names) in SITES {
            let root = dir.path().join(name);
            std::fs::create_dir_all(&root).unwrap();
            std::fs::write(root.join("index.html"), format!("site {name}\n")).unwrap();
            let mut cert_names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            if name == "fallback" {
                cert_names.push("127.0.0.1".into());
            }
            let cert = local_ca::issue(&certs, &cert_names).expect("a certificate is issued");
            sites.push(site(name, names, with_default && name == "fallback", root));
            https.push(SiteHttps {
                cert: Some(cert),
                redirect: true,
                hsts_max_age: None,
            });
        }
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            sites,
            https: Some(HttpsConfig {
                listen: "127.0.0.1:0".parse().unwrap(),
                sites: https,
                public_port,
            }),
            ..Config::default()
        };
        let servers = miniproxy::start_servers(config, hooks(yours))
            .await
            .expect("miniproxy starts");
        Some(Bench { servers, curl, dir })
    }

    pub fn http_addr(&self) -> SocketAddr {
        self.servers.http.local_addr()
    }

    pub fn https_addr(&self) -> SocketAddr {
        self.servers.https_addr().expect("HTTPS listens")
    }

    pub fn ca(&self) -> PathBuf {
        local_ca::ca_paths(&self.dir.path().join("certs")).0
    }

    /// Runs curl with `args` (off the async runtime: the proxy runs on it).
    pub async fn curl(&self, args: Vec<String>) -> Seen {
        let curl = self.curl.clone();
        tokio::task::spawn_blocking(move || run_curl(&curl, &args))
            .await
            .expect("curl runs")
    }

    /// `curl -v --insecure https://NAME:PORT/` with NAME resolved to the
    /// proxy: which certificate does the handshake bring? (`--insecure`:
    /// the test looks at the certificate itself, even one that does not
    /// fit the name, instead of stopping at curl's verdict.)
    pub async fn handshake(&self, name: &str) -> Seen {
        let port = self.https_addr().port();
        self.curl(vec![
            "-v".into(),
            "--insecure".into(),
            "--resolve".into(),
            format!("{name}:{port}:127.0.0.1"),
            format!("https://{name}:{port}/"),
        ])
        .await
    }

    /// `curl -v --insecure https://127.0.0.1:PORT/`: no name in the hello.
    pub async fn handshake_without_a_name(&self) -> Seen {
        let port = self.https_addr().port();
        self.curl(vec![
            "-v".into(),
            "--insecure".into(),
            format!("https://127.0.0.1:{port}/"),
        ])
        .await
    }

    /// `curl -v http://HOST/target` to the HTTP port with `Host: host`,
    /// printing the body, then the status and the `Location` on the last
    /// line.
    pub async fn plain(&self, host: &str, target: &str) -> Seen {
        self.curl(vec![
            "-H".into(),
            format!("Host: {host}"),
            "-w".into(),
            "\n%{http_code} %header{location}".into(),
            format!("http://{}{target}", self.http_addr()),
        ])
        .await
    }

    pub async fn stop(self) {
        self.servers.stop().await;
    }
}

fn site(name: &str, names: &[&str], default: bool, root: PathBuf) -> SiteConfig {
    SiteConfig {
        name: name.to_string(),
        names: names.iter().map(|n| n.to_string()).collect(),
        default,
        root: Some(root),
        upstream: None,
        routes: Vec::new(),
        static_rules: StaticRules::default(),
        proxy_pass_reverse: true,
        cookie_domain: None,
        access: Default::default(),
        cgi: Vec::new(),
    }
}

fn run_curl(curl: &Path, args: &[String]) -> Seen {
    let output = Command::new(curl)
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", curl.display()));
    Seen {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Fails with the graded-failure message.
#[track_caller]
pub fn fail(request: &str, expected: &str, got: &str, section: &str) -> ! {
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
        chapter: 8,
        section: section.to_string(),
    }
    .fail()
}
