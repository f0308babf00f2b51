//! Chapter 1's "In production" configs, run for real beside miniproxy.
//!
//! One table of requests goes to three servers: miniproxy with the
//! playground config, the real nginx with `playground/ch1/nginx.conf`, and
//! the real Apache httpd with `playground/ch1/apache.conf` (the chapter
//! includes these very files). Each row says what *each* server answers,
//! because they do not all answer alike: where a row differs between
//! servers, the chapter says so and why. A change in any server's behaviour,
//! or in a config, makes its row fail here before the book says something
//! false.

mod support;

use support::peers;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use testkit::http::{self as rawhttp, Answer};
use testkit::process::Process;
use testkit::{free_port, wait_until_listening};

/// Lines the chapter's nginx test adds to `http { }`.
const HTTP_EXTRA: &str = "types { text/html html; text/css css; }";

const PLAYGROUND_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../playground/ch1/miniproxy.toml"
);
const NGINX_SITE: &str = include_str!("../../../playground/ch1/nginx.conf");
const APACHE_SITE: &str = include_str!("../../../playground/ch1/apache.conf");

/// Who answered a request, and with what.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answered {
    /// The server in front read the file from its web root: 200 with the
    /// file's own bytes, and the application never saw the request.
    Disk,
    /// The request was forwarded and demo-was answered with this status
    /// (demo-was marks every answer with its `x-profile` header).
    App(u16),
    /// The server in front answered by itself with this status: a refusal,
    /// a redirect, or an error about the application.
    Itself(u16),
}
use Answered::{App, Disk, Itself};

struct Case {
    target: &'static str,
    what: &'static str,
    miniproxy: Answered,
    nginx: Answered,
    apache: Answered,
}

const fn all(target: &'static str, what: &'static str, answer: Answered) -> Case {
    Case {
        target,
        what,
        miniproxy: answer,
        nginx: answer,
        apache: answer,
    }
}

/// The web root every server gets: these files, each holding `file <path>`.
/// Files that must *not* be served from disk exist too, so that a wrong
/// rule shows up as a 200 instead of hiding behind a 404.
const FILES: &[&str] = &[
    "static/style.css",
    "img/logo.png",
    "img/Logo.PNG",
    "js/site.min.css",
    ".css",
    "img/.png",
    "photo.png.bak",
];

/// The requests, with the application running. The playground rules are
/// the prefix `/static/` and the extensions html, css, js, svg, png, ico, txt.
const WITH_THE_APP_UP: &[Case] = &[
    all("/hello", "no rule claims it: dynamic", App(200)),
    all("/static/style.css", "under the prefix", Disk),
    Case {
        target: "/static",
        what: "the prefix without its slash: miniproxy matches whole \
               segments and redirects to the directory; nginx's location \
               and Apache's ProxyPass compare text, so it is not under \
               \"/static/\" for them and goes to the application",
        miniproxy: Itself(301),
        nginx: App(404),
        apache: App(404),
    },
    all("/img/logo.png", "an extension rule", Disk),
    all("/img/Logo.PNG", "an extension in another case", Disk),
    all(
        "/js/site.min.css",
        "a name with a second dot: the last one counts",
        Disk,
    ),
    all("/photo.png.bak", "the last dot decides: .bak", App(404)),
    all(
        "/theme.css/edit",
        "only the last segment has an extension",
        App(404),
    ),
    all("/.css", "a hidden file has no extension", App(404)),
    all("/img/.png", "a hidden file has no extension", App(404)),
    all("/static/../../secret.txt", "traversal with ..", Itself(400)),
    all(
        "/static/%2e%2e/%2e%2e/secret.txt",
        "traversal with %2e%2e",
        Itself(400),
    ),
    Case {
        target: "/static/..%2f..%2fsecret.txt",
        what: "a slash hidden as %2f: Apache refuses encoded slashes with 404 \
               (AllowEncodedSlashes Off)",
        miniproxy: Itself(400),
        nginx: Itself(400),
        apache: Itself(404),
    },
    Case {
        target: "/static/..%5c..%5csecret.txt",
        what: "backslashes: on Linux nginx and Apache take `\\` as part of a \
               name, look for that file, and find none",
        miniproxy: Itself(400),
        nginx: Itself(404),
        apache: Itself(404),
    },
    Case {
        target: "/static/style.css%00.png",
        what: "a NUL byte: nginx refuses it, Apache finds no such file",
        miniproxy: Itself(400),
        nginx: Itself(400),
        apache: Itself(404),
    },
];

/// The requests after the application has stopped.
const WITH_THE_APP_DOWN: &[Case] = &[
    Case {
        target: "/hello",
        what: "the application is down: nginx and miniproxy say 502 Bad \
               Gateway, Apache says 503 Service Unavailable",
        miniproxy: Itself(502),
        nginx: Itself(502),
        apache: Itself(503),
    },
    all(
        "/static/style.css",
        "static files need no application",
        Disk,
    ),
];

fn contents(relative: &str) -> String {
    format!("file {relative}\n")
}

fn describe(answer: &Answer) -> String {
    let who = if from_the_application(answer) {
        "demo-was"
    } else {
        "the server in front"
    };
    let mut body = answer.text().replace('\n', " ");
    body.truncate(60);
    format!("{} from {who}: {body:?}", answer.status)
}

/// The proxies may replace the upstream's `Server` header with their own;
/// demo-was's `X-Profile` header shows the application answered.
fn from_the_application(answer: &Answer) -> bool {
    answer.header("x-profile").is_some()
}

fn matches(expected: Answered, target: &str, answer: &Answer) -> bool {
    match expected {
        Disk => {
            answer.status == 200
                && !from_the_application(answer)
                && answer.text() == contents(target.trim_start_matches('/'))
        }
        App(status) => answer.status == status && from_the_application(answer),
        Itself(status) => answer.status == status && !from_the_application(answer),
    }
}

/// What every server under test gets: the web root above, a secret file
/// just outside it, and demo-was as the upstream.
struct Stage {
    dir: tempfile::TempDir,
    app: demo_was::Running,
}

impl Stage {
    async fn new() -> Stage {
        let app = demo_was::start(demo_was::Options::on_free_port("blue"))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        for relative in FILES {
            let path = root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, contents(relative)).unwrap();
        }
        std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").unwrap();
        // Started as root, nginx and Apache hand requests to an unprivileged
        // user: the files must be world-readable.
        use std::os::unix::fs::PermissionsExt;
        for path in [
            dir.path(),
            &root,
            &root.join("static"),
            &root.join("img"),
            &root.join("js"),
        ] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Stage { dir, app }
    }

    fn tmp(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    /// The chapter's file with the port, root and upstream swapped in.
    fn adapt(&self, site: &str, listen: &str, listen_here: &str) -> String {
        let adapted = site
            .replace(listen, listen_here)
            .replace("/srv/myapp/public", &self.root().display().to_string())
            .replace("127.0.0.1:9000", &self.app.local_addr().to_string());
        for gone in [listen, "/srv/myapp/public", "127.0.0.1:9000"] {
            assert!(
                !adapted.contains(gone),
                "the chapter's config changed shape: {gone}"
            );
        }
        assert!(adapted != site);
        adapted
    }

    /// Sends the whole table to `server` at `addr`, stopping the
    /// application halfway, and fails with every row that did not match.
    /// Gives back the directory, with the server's error log in it.
    async fn check_the_table(
        self,
        server: &str,
        addr: SocketAddr,
        expected: fn(&Case) -> Answered,
    ) -> tempfile::TempDir {
        wait_until_listening(addr, Duration::from_secs(10), server);
        let mut wrong = Vec::new();
        let mut send = |case: &Case, answer: Answer| {
            let want = expected(case);
            assert!(
                !answer.text().contains("TOP SECRET"),
                "{server} served the secret file for GET {}",
                case.target
            );
            if !matches(want, case.target, &answer) {
                wrong.push(format!(
                    "  GET {}\n    expected: {want:?} ({})\n    got:      {}",
                    case.target,
                    case.what,
                    describe(&answer)
                ));
            }
        };

        for case in WITH_THE_APP_UP {
            send(case, rawhttp::get(addr, case.target).await.unwrap());
        }

        // All three append the client to X-Forwarded-For, like miniproxy.
        let headers = rawhttp::request(
            addr,
            "GET",
            "/headers",
            &[("X-Forwarded-For", "203.0.113.7")],
        )
        .await
        .unwrap();
        assert!(
            headers
                .text()
                .contains("x-forwarded-for: 203.0.113.7, 127.0.0.1"),
            "{server} does not append to X-Forwarded-For: {}",
            headers.text()
        );

        self.app.stop().await;
        for case in WITH_THE_APP_DOWN {
            send(case, rawhttp::get(addr, case.target).await.unwrap());
        }

        assert!(
            wrong.is_empty(),
            "{server} answered {} of the chapter's cases differently than the table says:\n{}",
            wrong.len(),
            wrong.join("\n")
        );
        self.dir
    }
}

/// The server's own error log must say `line`: the chapter quotes it.
fn assert_logged(dir: &tempfile::TempDir, server: &str, line: &str) {
    let log = std::fs::read_to_string(dir.path().join("error.log")).unwrap_or_default();
    assert!(
        log.contains(line),
        "{server}'s error log lacks {line:?}:\n{log}"
    );
}

/// The three configs name the same rules, so the table compares like with like.
#[test]
fn the_three_configs_name_the_same_static_rules() {
    let config = miniproxy::Config::load(Path::new(PLAYGROUND_CONFIG)).unwrap();
    let rules = &config.static_rules;
    assert_eq!(rules.prefixes, ["/static/"]);
    let alternatives = format!("({})", rules.extensions.join("|"));
    for (name, site) in [("nginx.conf", NGINX_SITE), ("apache.conf", APACHE_SITE)] {
        assert!(
            site.contains(&alternatives),
            "{name} does not list the extensions {alternatives} of miniproxy.toml"
        );
        assert!(site.contains(" /static/ "), "{name} has no /static/ rule");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn miniproxy_with_the_playground_config_answers_its_column() {
    let stage = Stage::new().await;
    let mut config = miniproxy::Config::load(Path::new(PLAYGROUND_CONFIG)).unwrap();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.root = Some(stage.root());
    config.upstream = Some(stage.app.local_addr().to_string().parse().unwrap());
    let proxy = miniproxy::start(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    let addr = proxy.local_addr();
    stage
        .check_the_table("miniproxy", addr, |case| case.miniproxy)
        .await;
    proxy.stop().await;
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
    let modules = ["mime", "proxy", "proxy_http"];
    Some((
        peers::apache(
            stage.tmp(),
            addr,
            &site,
            &modules,
            "TypesConfig /dev/null\nAddType text/css .css",
        )?,
        addr,
    ))
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chapter_1_nginx_config_answers_its_column() {
    let stage = Stage::new().await;
    let Some((_nginx, addr)) = start_nginx(&stage, NGINX_SITE) else {
        return;
    };
    let dir = stage
        .check_the_table("nginx", addr, |case| case.nginx)
        .await;
    assert_logged(
        &dir,
        "nginx",
        "connect() failed (111: Connection refused) while connecting to upstream",
    );
    assert_logged(&dir, "nginx", r#"/static/..\..\secret.txt" failed"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chapter_1_apache_config_answers_its_column() {
    let stage = Stage::new().await;
    let Some((_apache, addr)) = start_apache(&stage, APACHE_SITE) else {
        return;
    };
    let dir = stage
        .check_the_table("apache", addr, |case| case.apache)
        .await;
    assert_logged(
        &dir,
        "apache",
        "AH01114: HTTP: failed to make connection to backend",
    );
}

// The chapter's other claims about nginx and Apache, each run for real.

/// "an `alias` without a trailing slash is a classic traversal hole":
/// `/static../secret.txt` matches the prefix `/static`, and the rest,
/// `../secret.txt`, is appended to the directory.
#[tokio::test(flavor = "multi_thread")]
async fn nginx_alias_without_its_trailing_slash_climbs_out() {
    let stage = Stage::new().await;
    let hole = "server { listen 80; location /static { alias /srv/myapp/public/; } }";
    let Some((nginx, addr)) = start_nginx(&stage, hole) else {
        return;
    };
    let leak = rawhttp::get(addr, "/static../secret.txt").await.unwrap();
    assert_eq!(
        (leak.status, leak.text().as_str()),
        (200, "TOP SECRET"),
        "the hole"
    );
    drop(nginx);

    let fixed = "server { listen 80; location /static/ { alias /srv/myapp/public/; } }";
    let (_nginx, addr) = start_nginx(&stage, fixed).unwrap();
    let refused = rawhttp::get(addr, "/static../secret.txt").await.unwrap();
    assert!(
        refused.status == 404 && !refused.text().contains("TOP SECRET"),
        "with the slash: {refused:?}"
    );
}

/// "nginx does not add these headers unless you ask": without
/// `proxy_set_header`, the application sees no X-Forwarded-For.
#[tokio::test(flavor = "multi_thread")]
async fn nginx_adds_no_forwarded_headers_unless_asked() {
    let stage = Stage::new().await;
    let bare = "server { listen 80; location / { proxy_pass http://127.0.0.1:9000; } }";
    let Some((_nginx, addr)) = start_nginx(&stage, bare) else {
        return;
    };
    let seen = rawhttp::get(addr, "/headers").await.unwrap();
    assert!(from_the_application(&seen), "{seen:?}");
    assert!(
        !seen.text().contains("x-forwarded-"),
        "nginx added forwarding headers by itself: {}",
        seen.text()
    );
}

/// "The exceptions must come before the general rule: the first match
/// wins": the same lines in the other order proxy even /static/.
#[tokio::test(flavor = "multi_thread")]
async fn apache_exceptions_after_the_general_rule_do_nothing() {
    let stage = Stage::new().await;
    let general = "    ProxyPass        / http://127.0.0.1:9000/\n";
    assert!(
        APACHE_SITE.contains(general),
        "the chapter's file changed shape"
    );
    let reordered = APACHE_SITE.replace(general, "").replace(
        "    ProxyPass        /static/ !",
        &format!("{general}    ProxyPass        /static/ !"),
    );
    let Some((_apache, addr)) = start_apache(&stage, &reordered) else {
        return;
    };
    let css = rawhttp::get(addr, "/static/style.css").await.unwrap();
    assert!(
        from_the_application(&css) && css.status == 404,
        "with the general rule first, /static/style.css should reach the application: {css:?}"
    );
}
