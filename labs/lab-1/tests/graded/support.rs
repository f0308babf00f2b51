//! The test bench: a real demo-was behind a real miniproxy that runs your
//! `resolve` and `classify`, with a throwaway web root on disk.

use std::net::SocketAddr;
use std::path::Path;

use miniproxy::{Config, StaticRules};
use testkit::graded::Failure;
use testkit::http::{self as rawhttp, Answer};

/// Text of the file that sits *outside* the web root. No answer may ever
/// contain it.
pub const SECRET: &str = "TOP SECRET: outside the web root";

/// A running miniproxy (and, for `classify`, demo-was behind it).
pub struct Bench {
    pub proxy: miniproxy::Running,
    pub app: Option<demo_was::Running>,
    _dir: tempfile::TempDir,
}

pub const STYLE_CSS: &str = "body { color: green }\n";
pub const STATIC_INDEX: &str = "<h1>static index</h1>\n";

impl Bench {
    /// For `resolve`: miniproxy as a pure web server (every request is a
    /// file) running your `resolve`. `classify` is never called.
    pub async fn for_resolve() -> Bench {
        let dir = web_root();
        let config = Config::static_site(dir.path().join("www"), "127.0.0.1:0".parse().unwrap());
        let hooks = miniproxy::Hooks {
            resolve: lab_1::resolve,
            ..miniproxy::Hooks::default()
        };
        Bench::start(dir, config, hooks, None).await
    }

    /// For `classify`: a real demo-was behind miniproxy running your
    /// `classify` with the rules: prefix `/static/`, extensions `css`, `png`,
    /// `svg`. Files are found with miniproxy's own `resolve`, so this part
    /// of the lab is graded on its own.
    pub async fn for_classify() -> Bench {
        let dir = web_root();
        let app = demo_was::start(demo_was::Options::on_free_port("lab1"))
            .await
            .expect("demo-was starts");
        let mut config =
            Config::static_site(dir.path().join("www"), "127.0.0.1:0".parse().unwrap());
        config.upstream = Some(app.local_addr().to_string().parse().unwrap());
        config.static_rules = StaticRules {
            prefixes: vec!["/static/".into()],
            extensions: vec!["css".into(), "png".into(), "svg".into()],
        };
        let hooks = miniproxy::Hooks {
            classify: lab_1::classify,
            ..miniproxy::Hooks::default()
        };
        Bench::start(dir, config, hooks, Some(app)).await
    }

    async fn start(
        dir: tempfile::TempDir,
        config: Config,
        hooks: miniproxy::Hooks,
        app: Option<demo_was::Running>,
    ) -> Bench {
        // Your `todo!()` panics inside the server: one line each, never a
        // backtrace, whatever RUST_BACKTRACE says.
        testkit::graded::quiet_panics();
        let proxy = miniproxy::start(config, hooks)
            .await
            .expect("miniproxy starts");
        Bench {
            proxy,
            app,
            _dir: dir,
        }
    }

    /// Sends `GET target` exactly as written (no clean-up of `..`).
    pub async fn get(&self, target: &str) -> Answer {
        get(self.proxy.local_addr(), target).await
    }

    pub async fn stop(self) {
        self.proxy.stop().await;
        if let Some(app) = self.app {
            app.stop().await;
        }
    }
}

pub async fn get(addr: SocketAddr, target: &str) -> Answer {
    rawhttp::get(addr, target)
        .await
        .unwrap_or_else(|error| panic!("GET {target}: the proxy did not answer: {error}"))
}

/// The web root every test serves:
///
/// ```text
/// <tmp>/secret.txt              (outside the root)
/// <tmp>/www/index.html
/// <tmp>/www/static/style.css
/// <tmp>/www/static/hello world.css
/// <tmp>/www/static/index.html
/// <tmp>/www/docs/v1..2.txt
/// ```
fn web_root() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    write(dir.path(), "secret.txt", SECRET);
    write(dir.path(), "www/index.html", "<h1>home</h1>\n");
    write(dir.path(), "www/static/style.css", STYLE_CSS);
    write(dir.path(), "www/static/hello world.css", "/* hello */\n");
    write(dir.path(), "www/static/index.html", STATIC_INDEX);
    write(dir.path(), "www/docs/v1..2.txt", "version notes\n");
    dir
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Who answered: "miniproxy" (from disk) or "demo-was" (the application).
pub fn answered_by(answer: &Answer) -> &str {
    match answer.header("server") {
        Some(server) if server.starts_with("demo-was") => "demo-was",
        Some("miniproxy") => "miniproxy",
        Some(other) => other,
        None => "nobody (no Server header)",
    }
}

/// Fails with the graded-failure message: what was sent, what was
/// expected, what came back (status, who answered, the start of the body),
/// and which section of chapter 1 to reread.
#[track_caller]
pub fn fail(request: &str, expected: &str, answer: &Answer, reread: &str) -> ! {
    let body = answer.text();
    let body = body.trim_end();
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got: format!(
            "{} from {}: {body:.200}",
            answer.status,
            answered_by(answer)
        ),
        chapter: 1,
        section: reread.to_string(),
    }
    .fail()
}
