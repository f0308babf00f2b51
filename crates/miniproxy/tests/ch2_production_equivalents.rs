//! Chapter 2's "In production" configs, run for real beside miniproxy.
//!
//! Three demo-was (profiles a, b and c) stand behind each of three servers
//! in front: miniproxy with `playground/ch2/miniproxy.toml`, the real nginx
//! with `playground/ch2/nginx.conf` (an `upstream` block) and the real
//! Apache httpd with `playground/ch2/apache.conf` (`mod_proxy_balancer`).
//! The chapter includes these very files. Each server gets the same
//! script (the balance, what crosses, one copy stopped, all stopped), and
//! each step asserts what *that* server answers: where they differ, the
//! chapter's table says so, and these expectations keep it true.

mod support;

use support::peers;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use testkit::http::{self as rawhttp, Answer};
use testkit::{free_port, wait_until_listening, Process};

/// Lines the chapter's nginx test adds to `http { }`.
const HTTP_EXTRA: &str = "";

const PLAYGROUND_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../playground/ch2/miniproxy.toml"
);
const NGINX_SITE: &str = include_str!("../../../playground/ch2/nginx.conf");
const APACHE_SITE: &str = include_str!("../../../playground/ch2/apache.conf");

/// The addresses the chapter's files name, in profile order a, b, c.
const CHAPTER_ADDRS: [&str; 3] = ["127.0.0.1:9001", "127.0.0.1:9002", "127.0.0.1:9003"];

/// What one server in front does in each step of the script.
#[derive(Debug)]
struct Expected {
    name: &'static str,
    /// 30 GETs of /hello with all three up: answers per profile.
    balance: [(&'static str, usize); 3],
    /// The `host:` line demo-was sees for `Host: example.com`.
    host_seen: &'static str,
    /// Other lines demo-was must see (beyond X-Forwarded-For).
    also_seen: &'static [&'static str],
    /// Headers demo-was must *not* see (no line starts with these).
    absent: &'static [&'static str],
    /// Status for /hello with all three stopped.
    all_down: u16,
}

const MINIPROXY: Expected = Expected {
    name: "miniproxy",
    balance: [("a", 10), ("b", 10), ("c", 10)],
    host_seen: "host: example.com",
    also_seen: &[
        "x-forwarded-host: example.com",
        "x-forwarded-proto: http",
        "via: 1.1 miniproxy",
    ],
    absent: &["connection:", "x-forwarded-server:"],
    all_down: 502,
};

const NGINX: Expected = Expected {
    name: "nginx",
    balance: [("a", 10), ("b", 10), ("c", 10)],
    host_seen: "host: example.com",
    also_seen: &["x-forwarded-proto: http"],
    // `proxy_set_header Connection ""`, and nothing the file does not ask for.
    absent: &["connection:", "x-forwarded-host:", "via:"],
    all_down: 502,
};

const APACHE: Expected = Expected {
    name: "apache",
    balance: [("a", 10), ("b", 10), ("c", 10)],
    host_seen: "host: example.com",
    also_seen: &[
        "x-forwarded-host: example.com",
        "x-forwarded-server: example.com",
        // Apache keeps its own connection to the member open, and says so.
        "connection: Keep-Alive",
    ],
    absent: &["x-forwarded-proto:", "via:"],
    all_down: 503,
};

/// Three demo-was and a temporary directory for a server's files and logs.
struct Stage {
    dir: tempfile::TempDir,
    /// `None` once stopped.
    apps: Vec<Option<demo_was::Running>>,
    addrs: Vec<SocketAddr>,
}

impl Stage {
    async fn new() -> Stage {
        let mut apps = Vec::new();
        let mut addrs = Vec::new();
        for profile in ["a", "b", "c"] {
            let app = demo_was::start(demo_was::Options::on_free_port(profile))
                .await
                .unwrap();
            addrs.push(app.local_addr());
            apps.push(Some(app));
        }
        let dir = tempfile::tempdir().unwrap();
        // Started as root, nginx and Apache switch to an unprivileged user.
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Stage { dir, apps, addrs }
    }

    fn tmp(&self) -> &Path {
        self.dir.path()
    }

    /// The chapter's file with its port and its three upstreams swapped for
    /// this stage's.
    fn adapt(&self, site: &str, listen: &str, listen_here: &str) -> String {
        let mut adapted = site.replace(listen, listen_here);
        for (chapter, here) in CHAPTER_ADDRS.iter().zip(&self.addrs) {
            adapted = adapted.replace(chapter, &here.to_string());
        }
        for gone in [listen].iter().chain(CHAPTER_ADDRS.iter()) {
            assert!(
                !adapted.contains(gone),
                "the chapter's config changed shape: {gone}"
            );
        }
        adapted
    }

    async fn stop(&mut self, profile: &str) {
        let index = ["a", "b", "c"].iter().position(|p| *p == profile).unwrap();
        if let Some(app) = self.apps[index].take() {
            app.stop().await;
        }
    }

    /// The chapter's script against the server at `addr`; fails naming the
    /// server and the step.
    async fn run_the_script(mut self, addr: SocketAddr, expected: &Expected) -> Stage {
        let name = expected.name;
        wait_until_listening(addr, Duration::from_secs(10), name);

        // 1. The balance: a, b and c take turns.
        let spread = count_answers(addr, 30).await;
        let want: BTreeMap<String, usize> = expected
            .balance
            .iter()
            .map(|(p, n)| (p.to_string(), *n))
            .collect();
        assert_eq!(spread, want, "{name}: 30 × GET /hello with a, b, c up");

        // 2. What crosses: the client appended to X-Forwarded-For, the Host.
        let seen = rawhttp::request_bytes(
            addr,
            b"GET /headers HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\
              X-Forwarded-For: 203.0.113.7\r\n\r\n",
            false,
        )
        .await
        .unwrap();
        let text = seen.text();
        assert!(
            seen.status == 200 && seen.header("x-profile").is_some(),
            "{name}: GET /headers: {seen:?}"
        );
        let lines: Vec<&str> = text.lines().collect();
        for line in [
            expected.host_seen,
            "x-forwarded-for: 203.0.113.7, 127.0.0.1",
        ]
        .iter()
        .chain(expected.also_seen)
        {
            assert!(
                lines.contains(line),
                "{name}: demo-was should see `{line}`; it saw:\n{text}"
            );
        }

        for prefix in expected.absent {
            assert!(
                !lines.iter().any(|l| l.starts_with(prefix)),
                "{name}: demo-was should see no `{prefix}` line; it saw:\n{text}"
            );
        }

        // 3. b stopped: not one failed GET, and none reaches b.
        self.stop("b").await;
        let spread = count_answers(addr, 30).await;
        assert!(
            !spread.contains_key("b") && spread.values().sum::<usize>() == 30,
            "{name}: 30 × GET /hello with b stopped: {spread:?}"
        );

        // 4. All stopped: the server in front answers by itself.
        self.stop("a").await;
        self.stop("c").await;
        let gone = rawhttp::get(addr, "/hello").await.unwrap();
        assert!(
            gone.status == expected.all_down && gone.header("x-profile").is_none(),
            "{name}: GET /hello with a, b and c stopped: expected {} from {name}, got {} {:?}",
            expected.all_down,
            gone.status,
            gone.text()
        );
        self
    }
}

/// `n` GETs of /hello, counted by the profile that answered; any answer
/// that is not demo-was's 200 fails at once.
async fn count_answers(addr: SocketAddr, n: usize) -> BTreeMap<String, usize> {
    let mut counts = BTreeMap::new();
    for i in 0..n {
        let answer = rawhttp::get(addr, "/hello").await.unwrap();
        let profile = answer
            .header("x-profile")
            .filter(|_| answer.status == 200)
            .unwrap_or_else(|| {
                panic!(
                    "GET /hello #{}: {} {:?}",
                    i + 1,
                    answer.status,
                    answer.text()
                )
            });
        *counts.entry(profile.to_owned()).or_insert(0) += 1;
    }
    counts
}

fn show(answer: &Answer) -> String {
    format!("{} {:?}", answer.status, answer.text())
}

/// The server's own error log must say `line`: the chapter quotes it.
fn assert_logged(stage: &Stage, server: &str, line: &str) {
    let log = std::fs::read_to_string(stage.tmp().join("error.log")).unwrap_or_default();
    assert!(
        log.contains(line),
        "{server}'s error log lacks {line:?}:\n{log}"
    );
}

/// Real nginx with `site` (the chapter's file, adapted) on a free port.
fn start_nginx(stage: &Stage, site: &str) -> Option<(Process, SocketAddr)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let site = stage.adapt(site, "listen 80;", &format!("listen {addr};"));
    Some((peers::nginx(stage.tmp(), addr, &site, HTTP_EXTRA)?, addr))
}

/// Real Apache httpd with `site` (the chapter's file, adapted) on a free port.
fn start_apache(stage: &Stage, site: &str) -> Option<(Process, SocketAddr)> {
    let addr = SocketAddr::from(([127, 0, 0, 1], free_port()));
    let site = stage.adapt(site, "*:80", &addr.to_string());
    let modules = [
        "proxy",
        "proxy_http",
        "proxy_balancer",
        "slotmem_shm",
        "lbmethod_byrequests",
        "lbmethod_bybusyness",
    ];
    Some((peers::apache(stage.tmp(), addr, &site, &modules, "")?, addr))
}

/// The three configs name the same pool, so the script compares like with like.
#[test]
fn the_three_configs_name_the_same_pool() {
    let config = miniproxy::Config::load(Path::new(PLAYGROUND_CONFIG)).unwrap();
    let pool = config.upstream.unwrap();
    let servers: Vec<String> = pool
        .servers
        .iter()
        .map(|s| s.authority.to_string())
        .collect();
    assert_eq!(servers, CHAPTER_ADDRS);
    assert_eq!(pool.strategy, miniproxy::Strategy::RoundRobin);
    assert!(
        pool.active.is_some(),
        "the playground pool has health checks"
    );
    for addr in CHAPTER_ADDRS {
        assert!(
            NGINX_SITE.contains(&format!("server {addr} ")),
            "nginx.conf: {addr}"
        );
        assert!(
            APACHE_SITE.contains(&format!("BalancerMember \"http://{addr}\"")),
            "apache.conf: {addr}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miniproxy_with_the_playground_config_runs_the_script() {
    let stage = Stage::new().await;
    let mut config = miniproxy::Config::load(Path::new(PLAYGROUND_CONFIG)).unwrap();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let pool = config.upstream.as_mut().unwrap();
    for (server, addr) in pool.servers.iter_mut().zip(&stage.addrs) {
        server.authority = addr.to_string().parse().unwrap();
    }
    let proxy = miniproxy::start(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    let addr = proxy.local_addr();
    stage.run_the_script(addr, &MINIPROXY).await;
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chapter_2_nginx_config_runs_the_script() {
    let stage = Stage::new().await;
    let Some((_nginx, addr)) = start_nginx(&stage, NGINX_SITE) else {
        return;
    };
    let stage = stage.run_the_script(addr, &NGINX).await;
    // What the chapter quotes from nginx's error log.
    assert_logged(
        &stage,
        "nginx",
        "connect() failed (111: Connection refused) while connecting to upstream",
    );
    assert_logged(
        &stage,
        "nginx",
        "upstream server temporarily disabled while connecting to upstream",
    );
    assert_logged(
        &stage,
        "nginx",
        "no live upstreams while connecting to upstream",
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chapter_2_apache_config_runs_the_script() {
    let stage = Stage::new().await;
    let Some((_apache, addr)) = start_apache(&stage, APACHE_SITE) else {
        return;
    };
    let stage = stage.run_the_script(addr, &APACHE).await;
    // b refused: Apache takes the member out for `retry` seconds, and the
    // balancer sends the same request to another member.
    assert_logged(
        &stage,
        "apache",
        "AH00959: ap_proxy_connect_backend disabling worker for",
    );
    assert_logged(
        &stage,
        "apache",
        "AH01114: HTTP: failed to make connection to backend",
    );
}

// The chapter's other claims about the two, each run for real.

/// "Without `proxy_set_header Host`, the application sees `Host: app`, the
/// name of the upstream block."
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nginx_sends_the_upstream_name_as_host_unless_told() {
    let stage = Stage::new().await;
    let line = "        proxy_set_header Host              $host;\n";
    assert!(
        NGINX_SITE.contains(line),
        "the chapter's file changed shape"
    );
    let Some((_nginx, addr)) = start_nginx(&stage, &NGINX_SITE.replace(line, "")) else {
        return;
    };
    let seen = rawhttp::request(addr, "GET", "/headers", &[])
        .await
        .unwrap();
    assert!(
        seen.text().lines().any(|l| l == "host: app"),
        "{}",
        show(&seen)
    );
}

/// "Without `ProxyPreserveHost On`, the application sees the member's own
/// address as Host."
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn apache_sends_the_member_address_as_host_unless_told() {
    let stage = Stage::new().await;
    let line = "    ProxyPreserveHost On\n";
    assert!(
        APACHE_SITE.contains(line),
        "the chapter's file changed shape"
    );
    let Some((_apache, addr)) = start_apache(&stage, &APACHE_SITE.replace(line, "")) else {
        return;
    };
    let seen = rawhttp::request(addr, "GET", "/headers", &[])
        .await
        .unwrap();
    let profile = seen.header("x-profile").unwrap_or_default();
    let index = ["a", "b", "c"].iter().position(|p| *p == profile);
    let member = index.map(|i| format!("host: {}", stage.addrs[i]));
    assert!(
        member.is_some_and(|m| seen.text().lines().any(|l| l == m)),
        "{}",
        show(&seen)
    );
}

/// "weight=2 (nginx), loadfactor=2 (Apache), `weight=2` (miniproxy): twice
/// the turns." Twenty requests with a at weight 2: a 10, b 5, c 5 in all three.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_weight_of_two_gives_twice_the_turns_in_all_three() {
    let want: BTreeMap<String, usize> = [("a", 10), ("b", 5), ("c", 5)]
        .iter()
        .map(|(p, n)| (p.to_string(), *n))
        .collect();

    let stage = Stage::new().await;
    let mut config = miniproxy::Config::load(Path::new(PLAYGROUND_CONFIG)).unwrap();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let pool = config.upstream.as_mut().unwrap();
    for (server, addr) in pool.servers.iter_mut().zip(&stage.addrs) {
        server.authority = addr.to_string().parse().unwrap();
    }
    pool.servers[0].weight = 2;
    let proxy = miniproxy::start(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    assert_eq!(
        count_answers(proxy.local_addr(), 20).await,
        want,
        "miniproxy"
    );
    proxy.stop().await;

    let first = "server 127.0.0.1:9001 max_fails=1 fail_timeout=10s;";
    assert!(
        NGINX_SITE.contains(first),
        "the chapter's nginx.conf changed shape"
    );
    let weighted = NGINX_SITE.replace(first, &first.replace(';', " weight=2;"));
    if let Some((_nginx, addr)) = start_nginx(&stage, &weighted) {
        assert_eq!(count_answers(addr, 20).await, want, "nginx");
    }

    let first = "BalancerMember \"http://127.0.0.1:9001\" retry=10";
    assert!(
        APACHE_SITE.contains(first),
        "the chapter's apache.conf changed shape"
    );
    let weighted = APACHE_SITE.replace(first, &format!("{first} loadfactor=2"));
    let stage = Stage::new().await;
    if let Some((_apache, addr)) = start_apache(&stage, &weighted) {
        assert_eq!(count_answers(addr, 20).await, want, "apache");
    }
}

/// "Every header named in `Connection` is hop-by-hop; nginx forwards such
/// headers anyway." Each server's own answer for
/// `Connection: close, X-Trace-Hop` with `X-Trace-Hop: 1`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_header_named_in_connection_crosses_nginx_only() {
    async fn crosses(addr: SocketAddr) -> bool {
        let seen = rawhttp::request_bytes(
            addr,
            b"GET /headers HTTP/1.1\r\nHost: example.com\r\nConnection: close, X-Trace-Hop\r\n\
              X-Trace-Hop: 1\r\n\r\n",
            false,
        )
        .await
        .unwrap();
        assert!(seen.header("x-profile").is_some(), "{}", show(&seen));
        seen.text().lines().any(|l| l == "x-trace-hop: 1")
    }

    let stage = Stage::new().await;
    let mut config = miniproxy::Config::load(Path::new(PLAYGROUND_CONFIG)).unwrap();
    config.listen = "127.0.0.1:0".parse().unwrap();
    let pool = config.upstream.as_mut().unwrap();
    for (server, addr) in pool.servers.iter_mut().zip(&stage.addrs) {
        server.authority = addr.to_string().parse().unwrap();
    }
    let proxy = miniproxy::start(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    assert!(!crosses(proxy.local_addr()).await, "miniproxy");
    proxy.stop().await;

    if let Some((_nginx, addr)) = start_nginx(&stage, NGINX_SITE) {
        assert!(crosses(addr).await, "nginx passes x-trace-hop on");
    }
    let stage = Stage::new().await;
    if let Some((_apache, addr)) = start_apache(&stage, APACHE_SITE) {
        assert!(!crosses(addr).await, "apache leaves x-trace-hop behind");
    }
}
