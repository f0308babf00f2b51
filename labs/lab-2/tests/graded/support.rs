//! The test bench: three real demo-was servers (profiles `a`, `b`, `c`)
//! behind a real miniproxy that runs your functions.

use std::collections::BTreeMap;

use miniproxy::upstream::{PoolConfig, ServerConfig};
use miniproxy::{Config, Hooks, Strategy};
use testkit::graded::Failure;
use testkit::http::{self as rawhttp, Answer};

pub struct Bench {
    pub proxy: miniproxy::Running,
    /// `None` once stopped by the test.
    pub apps: Vec<Option<demo_was::Running>>,
}

/// Which of your functions the proxy runs; the other one is miniproxy's.
#[derive(Clone, Copy)]
pub enum Yours {
    RewriteHeaders,
    Choose,
}

impl Bench {
    /// Three upstreams of weight 1, round-robin.
    pub async fn start(yours: Yours) -> Bench {
        Bench::with(yours, Strategy::RoundRobin, [1, 1, 1]).await
    }

    pub async fn with(yours: Yours, strategy: Strategy, weights: [u32; 3]) -> Bench {
        // Your `todo!()` panics inside the server: one line each, never a
        // backtrace, whatever RUST_BACKTRACE says.
        testkit::graded::quiet_panics();
        let mut apps = Vec::new();
        let mut servers = Vec::new();
        for (profile, weight) in ["a", "b", "c"].into_iter().zip(weights) {
            let app = demo_was::start(demo_was::Options::on_free_port(profile))
                .await
                .expect("demo-was starts");
            servers.push(ServerConfig {
                authority: app.local_addr().to_string().parse().unwrap(),
                weight,
            });
            apps.push(Some(app));
        }
        let mut pool = PoolConfig::single(servers[0].authority.clone());
        pool.servers = servers;
        pool.strategy = strategy;
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            upstream: Some(pool),
            ..Config::default()
        };
        let hooks = match yours {
            Yours::RewriteHeaders => Hooks {
                rewrite_headers: lab_2::rewrite_headers,
                ..Hooks::default()
            },
            Yours::Choose => Hooks {
                choose: lab_2::choose,
                ..Hooks::default()
            },
        };
        let proxy = miniproxy::start(config, hooks)
            .await
            .expect("miniproxy starts");
        Bench { proxy, apps }
    }

    /// Stops demo-was `profile` ("a", "b" or "c"), as a crash would.
    pub async fn stop_app(&mut self, profile: &str) {
        let index = ["a", "b", "c"].iter().position(|p| *p == profile).unwrap();
        if let Some(app) = self.apps[index].take() {
            app.stop().await;
        }
    }

    pub async fn request(&self, target: &str, headers: &[(&str, &str)]) -> Answer {
        rawhttp::request(self.proxy.local_addr(), "GET", target, headers)
            .await
            .unwrap_or_else(|error| panic!("GET {target}: the proxy did not answer: {error}"))
    }

    /// Sends raw bytes (for header lines a map cannot hold twice).
    pub async fn raw(&self, head: &str) -> Answer {
        rawhttp::request_bytes(self.proxy.local_addr(), head.as_bytes(), false)
            .await
            .unwrap_or_else(|error| panic!("the proxy did not answer: {error}"))
    }

    /// `n` GETs of `/hello`, counted by the profile that answered. Any
    /// answer that is not demo-was's 200 fails the test at once.
    pub async fn spread(&self, n: usize, section: &str, expected: &str) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for i in 0..n {
            let answer = self.request("/hello", &[]).await;
            let Some(profile) = answer.header("x-profile").filter(|_| answer.status == 200) else {
                fail(
                    &format!("GET /hello (request {} of {n})", i + 1),
                    expected,
                    &describe(&answer),
                    section,
                );
            };
            *counts.entry(profile.to_string()).or_insert(0) += 1;
        }
        counts
    }

    /// Starts `GET /slow?ms=10000` and returns once its first words have
    /// come back through the proxy: from then on the request is in flight
    /// (until the returned connection is dropped).
    pub async fn start_slow_request(&self) -> tokio::net::TcpStream {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let mut stream = tokio::net::TcpStream::connect(self.proxy.local_addr())
            .await
            .expect("the proxy accepts connections");
        stream
            .write_all(b"GET /slow?ms=10000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .await
            .expect("the request is sent");
        let mut seen = Vec::new();
        testkit::wait::within("the slow request to start", async {
            while !String::from_utf8_lossy(&seen).contains("started") {
                let mut chunk = [0u8; 512];
                match stream.read(&mut chunk).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => seen.extend_from_slice(&chunk[..n]),
                }
            }
        })
        .await;
        let seen = String::from_utf8_lossy(&seen);
        if !seen.contains("started") {
            fail(
                "GET /slow?ms=10000 (held open while the test runs)",
                "200 from demo-was, starting to answer",
                &format!("{:.300}", seen.trim_end()),
                "Spreading the load",
            );
        }
        stream
    }

    pub async fn stop(self) {
        self.proxy.stop().await;
        for app in self.apps.into_iter().flatten() {
            app.stop().await;
        }
    }
}

/// `{a: 10, b: 10, c: 10}` from `[("a", 10), …]`.
pub fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// `a: 10, b: 10, c: 10`.
pub fn show(counts: &BTreeMap<String, usize>) -> String {
    let parts: Vec<String> = counts.iter().map(|(k, v)| format!("{k}: {v}")).collect();
    format!("answered by {}", parts.join(", "))
}

/// `502 from miniproxy: 502 Bad Gateway: …`.
pub fn describe(answer: &Answer) -> String {
    let who = match answer.header("x-profile") {
        Some(profile) => format!("demo-was {profile}"),
        None => "miniproxy".to_string(),
    };
    let body = answer.text();
    format!("{} from {who}: {:.200}", answer.status, body.trim_end())
}

/// Fails with the graded-failure message.
#[track_caller]
pub fn fail(request: &str, expected: &str, got: &str, section: &str) -> ! {
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
        chapter: 2,
        section: section.to_string(),
    }
    .fail()
}
