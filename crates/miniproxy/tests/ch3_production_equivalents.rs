//! Chapter 3's seed example, run for real three times: two sites on one
//! port, `app1.example.com` → the application on 3000 and
//! `app2.example.com` → the one on 8080, each with its ProxyPassReverse.
//!
//! Two demo-was (profiles `app1` and `app2`) stand behind miniproxy with
//! `playground/ch3/miniproxy.toml`, the real nginx with
//! `playground/ch3/nginx.conf` and the real Apache httpd with
//! `playground/ch3/apache.conf` (only the port and the two application
//! addresses are swapped). The real curl sends the same requests to each,
//! naming the site with `--resolve` or `-H 'Host: …'`, and every answer is
//! asserted per server: the chapter's table is [`TABLE`], and this test
//! keeps it true.

mod support;

use support::peers;

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use testkit::{free_port, tool, wait_until_listening, Process};

/// Lines the chapter's nginx test adds to `http { }`.
const HTTP_EXTRA: &str = "";

const MINIPROXY_SITE: &str = include_str!("../../../playground/ch3/miniproxy.toml");
const NGINX_SITE: &str = include_str!("../../../playground/ch3/nginx.conf");
const APACHE_SITE: &str = include_str!("../../../playground/ch3/apache.conf");

/// What curl prints per request: status, who answered, where it redirects.
const WRITE_OUT: &str = "%{http_code} %header{x-profile} %header{location}";

/// One request of the script: what the chapter's table calls it, curl's
/// arguments (`{port}` is the server's port), and each server's answer as
/// `status profile location` (`-` for "no such header"; `PORT` for the
/// server's port).
struct Row {
    request: &'static str,
    args: &'static [&'static str],
    miniproxy: &'static str,
    nginx: &'static str,
    apache: &'static str,
}

// ANCHOR: table
const TABLE: &[Row] = &[
    Row {
        request: "curl --resolve app1.example.com:PORT:127.0.0.1 http://app1.example.com:PORT/hello",
        args: &["--resolve", "app1.example.com:{port}:127.0.0.1", "http://app1.example.com:{port}/hello"],
        miniproxy: "200 app1 -",
        nginx: "200 app1 -",
        apache: "200 app1 -",
    },
    Row {
        request: "curl --resolve app2.example.com:PORT:127.0.0.1 http://app2.example.com:PORT/hello",
        args: &["--resolve", "app2.example.com:{port}:127.0.0.1", "http://app2.example.com:{port}/hello"],
        miniproxy: "200 app2 -",
        nginx: "200 app2 -",
        apache: "200 app2 -",
    },
    Row {
        request: "curl -H 'Host: APP2.Example.COM' http://127.0.0.1:PORT/hello",
        args: &["-H", "Host: APP2.Example.COM", "http://127.0.0.1:{port}/hello"],
        miniproxy: "200 app2 -",
        nginx: "200 app2 -",
        apache: "200 app2 -",
    },
    Row {
        request: "curl -H 'Host: app2.example.com.' http://127.0.0.1:PORT/hello",
        args: &["-H", "Host: app2.example.com.", "http://127.0.0.1:{port}/hello"],
        miniproxy: "200 app2 -",
        nginx: "200 app2 -",
        apache: "200 app2 -",
    },
    Row {
        request: "curl -x http://127.0.0.1:PORT http://app2.example.com/hello",
        args: &["-x", "http://127.0.0.1:{port}", "http://app2.example.com/hello"],
        miniproxy: "200 app2 -",
        nginx: "200 app2 -",
        apache: "200 app2 -",
    },
    Row {
        request: "curl -H 'Host: unknown.example.org' http://127.0.0.1:PORT/hello",
        args: &["-H", "Host: unknown.example.org", "http://127.0.0.1:{port}/hello"],
        miniproxy: "421 - -",
        nginx: "200 app1 -",
        apache: "200 app1 -",
    },
    Row {
        request: "curl --http1.0 -H 'Host:' http://127.0.0.1:PORT/hello",
        args: &["--http1.0", "-H", "Host:", "http://127.0.0.1:{port}/hello"],
        miniproxy: "421 - -",
        nginx: "200 app1 -",
        apache: "200 app1 -",
    },
    Row {
        request: "curl --resolve app1.example.com:PORT:127.0.0.1 http://app1.example.com:PORT/login-redirect",
        args: &["--resolve", "app1.example.com:{port}:127.0.0.1", "http://app1.example.com:{port}/login-redirect"],
        miniproxy: "302 app1 http://app1.example.com:PORT/login",
        nginx: "302 app1 http://app1.example.com:PORT/login",
        apache: "302 app1 http://app1.example.com:PORT/login",
    },
    Row {
        request: "curl -H 'Host: app2.example.com' http://127.0.0.1:PORT/login-redirect",
        args: &["-H", "Host: app2.example.com", "http://127.0.0.1:{port}/login-redirect"],
        miniproxy: "302 app2 http://app2.example.com/login",
        // nginx writes its server_name and the port it listens on (not the
        // Host's): the same as the others on port 80, where the chapter runs.
        nginx: "302 app2 http://app2.example.com:PORT/login",
        apache: "302 app2 http://app2.example.com/login",
    },
];
// ANCHOR_END: table

/// The two applications and a temporary directory for a server's files.
struct Stage {
    dir: tempfile::TempDir,
    _apps: Vec<demo_was::Running>,
    /// app1's and app2's addresses, standing in for localhost:3000 and :8080.
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
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        Stage {
            dir,
            _apps: vec![app1, app2],
            addrs,
        }
    }

    fn tmp(&self) -> &Path {
        self.dir.path()
    }

    /// The chapter's file with its listen address and the two applications
    /// swapped for this stage's.
    fn adapt(&self, site: &str, listen: &str, listen_here: &str) -> String {
        let swaps = [
            (listen, listen_here.to_string()),
            ("localhost:3000", self.addrs[0].to_string()),
            ("localhost:8080", self.addrs[1].to_string()),
        ];
        let mut adapted = site.to_string();
        for (chapter, here) in &swaps {
            assert!(
                adapted.contains(chapter),
                "the chapter's config changed shape: {chapter}"
            );
            adapted = adapted.replace(chapter, here);
        }
        adapted
    }

    /// Runs the table against the server at `addr`; every mismatch is
    /// collected, so one run shows the whole table's differences.
    async fn run_the_table(&self, addr: SocketAddr, server: &str, answer_of: fn(&Row) -> &str) {
        wait_until_listening(addr, Duration::from_secs(10), server);
        let Some(curl_path) = tool("curl") else {
            return;
        };
        let port = addr.port().to_string();
        let mut wrong = Vec::new();
        for row in TABLE {
            let mut args: Vec<String> = row
                .args
                .iter()
                .map(|a| a.replace("{port}", &port))
                .collect();
            args.extend([
                "-o".into(),
                "/dev/null".into(),
                "-w".into(),
                WRITE_OUT.into(),
            ]);
            let got = curl(&curl_path, args).await;
            let got = normalize(&got, &port);
            let want = answer_of(row);
            if got != want {
                wrong.push(format!(
                    "  {}\n    expected: {want}\n    got:      {got}",
                    row.request
                ));
            }
        }
        assert!(
            wrong.is_empty(),
            "{server} disagrees with the chapter's table:\n{}",
            wrong.join("\n")
        );
    }
}

/// `302 app1 http://app1.example.com:40123/login` → `… :PORT/login`, and
/// empty fields as `-`.
fn normalize(line: &str, port: &str) -> String {
    let mut fields: Vec<String> = line
        .trim_end()
        .splitn(3, ' ')
        .map(|f| {
            if f.is_empty() {
                "-".into()
            } else {
                f.replace(port, "PORT")
            }
        })
        .collect();
    fields.resize(3, "-".into());
    fields.join(" ")
}

/// curl, off the async workers: demo-was (and miniproxy) run inside this
/// test's runtime and must keep answering while curl waits.
async fn curl(curl: &Path, args: Vec<String>) -> String {
    let curl = curl.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        testkit::curl(&curl, &args)
    })
    .await
    .expect("curl's thread")
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
    let modules = ["proxy", "proxy_http"];
    Some((peers::apache(stage.tmp(), addr, &site, &modules, "")?, addr))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn miniproxy_with_the_playground_config_answers_the_table() {
    let stage = Stage::new().await;
    let text = stage.adapt(MINIPROXY_SITE, "127.0.0.1:80", "127.0.0.1:0");
    let mut config = miniproxy::Config::parse(&text, "miniproxy.toml", Path::new(".")).unwrap();
    config.access_log = miniproxy::access_log::Destination::Off;
    let proxy = miniproxy::start(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    stage
        .run_the_table(proxy.local_addr(), "miniproxy", |row| row.miniproxy)
        .await;
    proxy.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chapter_3_nginx_config_answers_the_table() {
    let stage = Stage::new().await;
    let Some((_nginx, addr)) = start_nginx(&stage, NGINX_SITE) else {
        return;
    };
    stage.run_the_table(addr, "nginx", |row| row.nginx).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chapter_3_apache_config_answers_the_table() {
    let stage = Stage::new().await;
    let Some((_apache, addr)) = start_apache(&stage, APACHE_SITE) else {
        return;
    };
    stage.run_the_table(addr, "apache", |row| row.apache).await;
}

/// "Without ProxyPassReverse, the browser is sent to localhost:3000": the
/// same Apache file with those lines removed passes the application's
/// redirect through unchanged.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_proxy_pass_reverse_the_redirect_names_the_application() {
    let stage = Stage::new().await;
    let without: String = APACHE_SITE
        .lines()
        .filter(|line| !line.trim_start().starts_with("ProxyPassReverse"))
        .map(|line| format!("{line}\n"))
        .collect();
    let Some((_apache, addr)) = start_apache(&stage, &without) else {
        return;
    };
    wait_until_listening(addr, Duration::from_secs(10), "apache");
    let Some(curl_path) = tool("curl") else {
        return;
    };
    let args = vec![
        "-H".into(),
        "Host: app1.example.com".into(),
        format!("http://{addr}/login-redirect"),
        "-o".into(),
        "/dev/null".into(),
        "-w".into(),
        WRITE_OUT.into(),
    ];
    let got = curl(&curl_path, args).await;
    assert_eq!(
        got.trim_end(),
        format!("302 app1 http://{}/login", stage.addrs[0]),
        "Apache without ProxyPassReverse"
    );
}
