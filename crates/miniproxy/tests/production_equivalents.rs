//! Chapter 1's "In production" configs, run with the real nginx and the real
//! Apache httpd: each must make the same static/dynamic split as miniproxy
//! with the playground config. The chapter includes these very files.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use testkit::http::{self as rawhttp, Answer};
use testkit::{free_port, tool, wait_until_listening, Reaped};

const NGINX_SITE: &str = include_str!("../../../playground/ch1/nginx.conf");
const APACHE_SITE: &str = include_str!("../../../playground/ch1/apache.conf");

/// What every server under test gets: a web root with one stylesheet, a
/// secret file just outside it, and demo-was as the upstream.
struct Stage {
    dir: tempfile::TempDir,
    app: demo_was::Running,
    port: u16,
}

impl Stage {
    async fn new() -> Stage {
        let app = demo_was::start(demo_was::Options::on_free_port("blue"))
            .await
            .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("public");
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/style.css"), "body{}").unwrap();
        std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").unwrap();
        // Started as root, both servers hand requests to an unprivileged
        // user: the files must be world-readable.
        use std::os::unix::fs::PermissionsExt;
        for path in [dir.path(), &root, &root.join("static")] {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Stage {
            dir,
            app,
            port: free_port(),
        }
    }

    fn tmp(&self) -> &Path {
        self.dir.path()
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("public")
    }

    fn addr(&self) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], self.port))
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

    /// The requests of chapter 1's "Run it", with what each server must do.
    async fn check_the_split(self, server: &str) {
        let addr = self.addr();
        wait_until_listening(addr, Duration::from_secs(10), server);

        let css = rawhttp::get(addr, "/static/style.css").await.unwrap();
        assert_eq!(
            (css.status, css.text().as_str()),
            (200, "body{}"),
            "{server}"
        );
        assert!(
            !from_the_application(&css),
            "{server} forwarded a static file"
        );

        let hello = rawhttp::get(addr, "/hello").await.unwrap();
        assert!(from_the_application(&hello), "{server}: {hello:?}");
        assert!(hello.text().contains("profile blue"));

        // Both append the client to X-Forwarded-For, like miniproxy.
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
            "{server}: {}",
            headers.text()
        );

        // Both resolve `..` themselves and refuse to climb above the root.
        let climb = rawhttp::get(addr, "/static/../../secret.txt")
            .await
            .unwrap();
        assert_eq!(climb.status, 400, "{server}: {climb:?}");
        assert!(!climb.text().contains("TOP SECRET"));

        self.app.stop().await;
        let down = rawhttp::get(addr, "/hello").await.unwrap();
        assert!(
            [502, 503].contains(&down.status),
            "{server} answers a Bad Gateway when the upstream is gone: {down:?}"
        );
        let css = rawhttp::get(addr, "/static/style.css").await.unwrap();
        assert_eq!(
            css.status, 200,
            "{server}: static files need no application"
        );
    }
}

/// The proxies may replace the upstream's `Server` header with their own;
/// demo-was's `X-Profile` header shows the application answered.
fn from_the_application(answer: &Answer) -> bool {
    answer.header("x-profile").is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chapter_1_nginx_config_splits_like_miniproxy() {
    let Some(nginx) = tool("nginx") else { return };
    let stage = Stage::new().await;
    let site = stage.adapt(
        NGINX_SITE,
        "listen 80;",
        &format!("listen {};", stage.addr()),
    );
    let tmp = stage.tmp().display();
    // One process (master_process off): killing it leaves no worker behind.
    let config = format!(
        "worker_processes 1;\ndaemon off;\nmaster_process off;\n\
         pid {tmp}/nginx.pid;\nerror_log {tmp}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           types {{ text/html html; text/css css; }}\n\
           access_log off;\n\
           client_body_temp_path {tmp}/body;\n  proxy_temp_path {tmp}/proxy;\n\
           fastcgi_temp_path {tmp}/fastcgi;\n  uwsgi_temp_path {tmp}/uwsgi;\n\
           scgi_temp_path {tmp}/scgi;\n\
           {site}\n}}\n"
    );
    let config_path = stage.tmp().join("nginx.conf");
    std::fs::write(&config_path, config).unwrap();
    let child = Command::new(nginx)
        .arg("-p")
        .arg(stage.tmp())
        .arg("-c")
        .arg(&config_path)
        .arg("-e")
        .arg(stage.tmp().join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let _nginx = Reaped(child);
    stage.check_the_split("nginx").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chapter_1_apache_config_splits_like_miniproxy() {
    let Some(apache) = tool("apache2").or_else(|| tool("httpd")) else {
        return;
    };
    let Some(modules) = [
        "/usr/lib/apache2/modules",
        "/usr/lib64/httpd/modules",
        "/usr/lib/httpd/modules",
    ]
    .map(PathBuf::from)
    .into_iter()
    .find(|dir| dir.join("mod_proxy_http.so").is_file()) else {
        panic!("Apache is installed but its modules (mod_proxy_http.so) were not found");
    };
    let stage = Stage::new().await;
    let site = stage.adapt(APACHE_SITE, "*:80", &stage.addr().to_string());
    let tmp = stage.tmp().display();
    let modules = modules.display();
    let load = [
        "mpm_event",
        "authz_core",
        "alias",
        "mime",
        "proxy",
        "proxy_http",
    ]
    .map(|name| format!("LoadModule {name}_module {modules}/mod_{name}.so\n"))
    .concat();
    let config = format!(
        "ServerRoot {tmp}\nServerName localhost\nListen {addr}\n\
         PidFile {tmp}/httpd.pid\nErrorLog {tmp}/error.log\nLogLevel warn\n\
         {load}\
         User nobody\nGroup nogroup\n\
         TypesConfig /dev/null\nAddType text/css .css\n\
         {site}\n",
        addr = stage.addr()
    );
    let config_path = stage.tmp().join("httpd.conf");
    std::fs::write(&config_path, config).unwrap();
    // -X: one process in the foreground, so killing it stops everything.
    let child = Command::new(apache)
        .arg("-X")
        .arg("-f")
        .arg(&config_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("apache starts");
    let _apache = Reaped(child);
    stage.check_the_split("apache").await;
}
