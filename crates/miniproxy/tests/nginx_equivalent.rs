//! Chapter 1's "In production" config, run with the real nginx: it must make
//! the same static/dynamic split as miniproxy with the playground config.

use std::net::SocketAddr;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use miniproxy::rawhttp::{self, Answer};
use testkit::{free_port, tool, wait_until_listening, Reaped};

const SITE: &str = include_str!("../../../playground/ch1/nginx.conf");

/// Writes a minimal nginx.conf around the chapter's server block, with the
/// listen port, web root and upstream swapped for this test's.
fn nginx_config(dir: &Path, port: u16, root: &Path, upstream: SocketAddr) -> std::path::PathBuf {
    let site = SITE
        .replace("listen 80;", &format!("listen 127.0.0.1:{port};"))
        .replace("/srv/myapp/public", &root.display().to_string())
        .replace("127.0.0.1:9000", &upstream.to_string());
    assert_ne!(
        site, SITE,
        "the chapter's nginx.conf no longer has the expected values"
    );
    let tmp = dir.display();
    let main = format!(
        "worker_processes 1;\n\
         daemon off;\n\
         master_process off;\n\
         pid {tmp}/nginx.pid;\n\
         error_log {tmp}/error.log warn;\n\
         events {{ worker_connections 64; }}\n\
         http {{\n\
           types {{ text/html html; text/css css; image/svg+xml svg; }}\n\
           access_log off;\n\
           client_body_temp_path {tmp}/body;\n\
           proxy_temp_path {tmp}/proxy;\n\
           fastcgi_temp_path {tmp}/fastcgi;\n\
           uwsgi_temp_path {tmp}/uwsgi;\n\
           scgi_temp_path {tmp}/scgi;\n\
           {site}\n\
         }}\n"
    );
    let path = dir.join("nginx.conf");
    std::fs::write(&path, main).unwrap();
    path
}

/// nginx replaces the upstream's `Server` header with its own, so the
/// application's `X-Profile` header is what shows the application answered.
fn from_the_application(answer: &Answer) -> bool {
    answer.header("x-profile").is_some()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_chapter_1_nginx_config_splits_like_miniproxy() {
    let Some(nginx) = tool("nginx") else { return };
    let app = demo_was::start(demo_was::Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        profile: "blue".into(),
        ..demo_was::Options::default()
    })
    .await
    .unwrap();

    // Run as root, nginx's workers would drop to "nobody": keep the files
    // world-readable. (The test runs nginx as one process, master_process
    // off, so killing it at the end leaves no worker behind.)
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("public");
    std::fs::create_dir_all(root.join("static")).unwrap();
    std::fs::write(root.join("static/style.css"), "body{}").unwrap();
    std::fs::write(dir.path().join("secret.txt"), "TOP SECRET").unwrap();
    use std::os::unix::fs::PermissionsExt;
    for path in [dir.path(), &root, &root.join("static")] {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }

    let port = free_port();
    let config = nginx_config(dir.path(), port, &root, app.local_addr());
    let child = Command::new(nginx)
        .arg("-p")
        .arg(dir.path())
        .arg("-c")
        .arg(&config)
        .arg("-e")
        .arg(dir.path().join("error.log"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("nginx starts");
    let _nginx = Reaped(child);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    wait_until_listening(addr, Duration::from_secs(10), "nginx");

    let css = rawhttp::get(addr, "/static/style.css").await.unwrap();
    assert_eq!((css.status, css.text().as_str()), (200, "body{}"));
    assert!(!from_the_application(&css), "nginx forwarded a static file");
    assert!(css.header("server").unwrap().starts_with("nginx"));

    let upper = rawhttp::get(addr, "/static/STYLE.CSS").await.unwrap();
    assert!(
        !from_the_application(&upper),
        "the extension rule ignores case"
    );

    let hello = rawhttp::get(addr, "/hello").await.unwrap();
    assert!(from_the_application(&hello), "{hello:?}");
    assert!(hello.text().contains("profile blue"));

    // $proxy_add_x_forwarded_for appends, like miniproxy.
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
        "{}",
        headers.text()
    );

    // nginx resolves `..` itself and refuses a path above the root with 400.
    let climb = rawhttp::get(addr, "/static/../../secret.txt")
        .await
        .unwrap();
    assert_eq!(climb.status, 400, "{climb:?}");
    assert!(!climb.text().contains("TOP SECRET"));

    app.stop().await;
    let down = rawhttp::get(addr, "/hello").await.unwrap();
    assert_eq!(
        down.status, 502,
        "nginx, too, answers 502 when the upstream is gone"
    );
}
