//! The test bench: real demo-was servers behind a real miniproxy that
//! serves several sites on one port and runs your function.

#![allow(dead_code)] // each test module uses a different part of it

use miniproxy::config::SiteConfig;
use miniproxy::upstream::{HostHeader, PoolConfig};
use miniproxy::{Config, Hooks, StaticRules};
use testkit::graded::Failure;
use testkit::http::{self as rawhttp, Answer};

/// Which of your functions the proxy runs; the others are miniproxy's.
#[derive(Clone, Copy)]
pub enum Yours {
    NormalizeHost,
    SelectSite,
    RewriteLocation,
}

pub struct Bench {
    pub proxy: miniproxy::Running,
    apps: Vec<demo_was::Running>,
}

/// The sites of the selection bench, in this order (the order matters: a
/// wildcard comes before the exact name it must not shadow, and the short
/// wildcard before the long one). Each site's demo-was has the site's
/// name as its profile, so `x-profile` says which site answered.
pub const SITES: [(&str, &[&str]); 5] = [
    ("app1", &["app1.example.com"]),
    ("wild", &["*.example.com"]),
    ("app2", &["app2.example.com"]),
    ("api", &["*.api.example.com"]),
    ("fallback", &["fallback.test"]),
];

fn site(name: &str, names: Vec<String>, default: bool, pool: PoolConfig) -> SiteConfig {
    SiteConfig {
        name: name.to_string(),
        names,
        default,
        root: None,
        upstream: Some(pool),
        routes: Vec::new(),
        static_rules: StaticRules::default(),
        proxy_pass_reverse: true,
        cookie_domain: None,
        access: Default::default(),
        cgi: Vec::new(),
    }
}

fn hooks(yours: Yours) -> Hooks {
    match yours {
        Yours::NormalizeHost => Hooks {
            normalize_host: lab_3::normalize_host,
            ..Hooks::default()
        },
        Yours::SelectSite => Hooks {
            select_site: lab_3::select_site,
            ..Hooks::default()
        },
        Yours::RewriteLocation => Hooks {
            rewrite_location: lab_3::rewrite_location,
            ..Hooks::default()
        },
    }
}

async fn app(profile: &str) -> demo_was::Running {
    demo_was::start(demo_was::Options::on_free_port(profile))
        .await
        .expect("demo-was starts")
}

impl Bench {
    /// The five sites of [`SITES`]; `fallback` is the default site when
    /// `with_default`.
    pub async fn sites(yours: Yours, with_default: bool) -> Bench {
        // Your `todo!()` panics inside the server: one line each, never a
        // backtrace, whatever RUST_BACKTRACE says.
        testkit::graded::quiet_panics();
        let mut apps = Vec::new();
        let mut sites = Vec::new();
        for (name, names) in SITES {
            let running = app(name).await;
            let pool = PoolConfig::single(running.local_addr().to_string().parse().unwrap());
            let names = names.iter().map(|n| n.to_string()).collect();
            sites.push(site(name, names, with_default && name == "fallback", pool));
            apps.push(running);
        }
        Bench::start(yours, sites, apps).await
    }

    /// One demo-was (`app1`) behind four sites whose application builds
    /// its redirects from different Host values, so each redirect names
    /// something else (see `rewrite_location.rs`).
    pub async fn redirects(yours: Yours) -> Bench {
        testkit::graded::quiet_panics();
        let running = app("app1").await;
        let addr = running.local_addr();
        let pool = |server: String, host: HostHeader| {
            let mut pool = PoolConfig::single(server.parse().unwrap());
            pool.host = host;
            pool
        };
        let names = |name: &str| vec![name.to_string()];
        let sites = vec![
            // The application sees its own address, as behind Apache.
            site(
                "app1",
                names("app1.example.com"),
                false,
                pool(addr.to_string(), HostHeader::Upstream),
            ),
            // Reached as localhost; the application is told `LocalHost:port`.
            site(
                "case",
                names("case.example.com"),
                false,
                pool(
                    format!("localhost:{}", addr.port()),
                    HostHeader::Fixed(format!("LocalHost:{}", addr.port())),
                ),
            ),
            // The application links to a site that is not the upstream.
            site(
                "other",
                names("other.example.com"),
                false,
                pool(
                    addr.to_string(),
                    HostHeader::Fixed("elsewhere.example.org".into()),
                ),
            ),
            // The application links to the same address with one more digit
            // on the port: another port, another server.
            site(
                "port",
                names("port.example.com"),
                false,
                pool(addr.to_string(), HostHeader::Fixed(format!("{addr}1"))),
            ),
        ];
        Bench::start(yours, sites, vec![running]).await
    }

    async fn start(yours: Yours, sites: Vec<SiteConfig>, apps: Vec<demo_was::Running>) -> Bench {
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            sites,
            ..Config::default()
        };
        let proxy = miniproxy::start(config, hooks(yours))
            .await
            .expect("miniproxy starts");
        Bench { proxy, apps }
    }

    /// `GET target` with `Host: host`.
    pub async fn get(&self, target: &str, host: &str) -> Answer {
        self.raw(&format!(
            "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        ))
        .await
    }

    /// Sends raw bytes (for requests a helper cannot build: no Host).
    pub async fn raw(&self, head: &str) -> Answer {
        rawhttp::request_bytes(self.proxy.local_addr(), head.as_bytes(), false)
            .await
            .unwrap_or_else(|error| panic!("the proxy did not answer: {error}"))
    }

    /// The port demo-was `app1` listens on (the redirect bench's).
    pub fn app_addr(&self) -> std::net::SocketAddr {
        self.apps[0].local_addr()
    }

    pub async fn stop(self) {
        self.proxy.stop().await;
        for app in self.apps {
            app.stop().await;
        }
    }
}

/// `200 from demo-was app1 (site app1)` or `421 from miniproxy: …`.
pub fn describe(answer: &Answer) -> String {
    match answer.header("x-profile") {
        Some(profile) => format!("{} from demo-was {profile} (site {profile})", answer.status),
        None => format!(
            "{} from miniproxy: {:.200}",
            answer.status,
            answer.text().trim_end()
        ),
    }
}

/// Whether the answer came from site `name`'s application, with a 200.
pub fn answered_by(answer: &Answer, name: &str) -> bool {
    answer.status == 200 && answer.header("x-profile") == Some(name)
}

/// Fails with the graded-failure message.
#[track_caller]
pub fn fail(request: &str, expected: &str, got: &str, section: &str) -> ! {
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
        chapter: 3,
        section: section.to_string(),
    }
    .fail()
}
