//! Chapter 4's CGI host mounted in miniproxy, like Apache's `ScriptAlias
//! /cgi-bin/ DIR`: scripts under one prefix, static files and the
//! application server beside them on the same port.

use std::os::unix::fs::PermissionsExt;

use miniproxy::{Config, Hooks};
use testkit::http::{self as rawhttp};

/// A config with `/cgi-bin/` mounted on a folder holding `hello.sh`.
fn config(dir: &std::path::Path, app: std::net::SocketAddr) -> Config {
    std::fs::create_dir_all(dir.join("cgi-bin")).unwrap();
    std::fs::create_dir_all(dir.join("public")).unwrap();
    std::fs::write(dir.join("public/index.html"), "<h1>home</h1>\n").unwrap();
    let script = dir.join("cgi-bin/hello.sh");
    std::fs::write(
        &script,
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\n\
         echo \"hello from $SCRIPT_NAME, PATH_INFO=$PATH_INFO, via $SERVER_SOFTWARE\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let text = format!(
        "listen = \"127.0.0.1:0\"\nroot = \"public\"\nupstream = \"{app}\"\n\
         [static]\nextensions = [\"html\"]\n\
         [[cgi]]\nprefix = \"/cgi-bin/\"\nroot = \"cgi-bin\"\n"
    );
    let mut config = Config::parse(&text, "test.toml", dir).unwrap();
    config.access_log = miniproxy::access_log::Destination::Off;
    config
}

#[tokio::test]
async fn scripts_static_files_and_the_app_share_one_port() {
    let dir = tempfile::tempdir().unwrap();
    let app = demo_was::start(demo_was::Options::on_free_port("blue"))
        .await
        .unwrap();
    let proxy = miniproxy::start(config(dir.path(), app.local_addr()), Hooks::default())
        .await
        .unwrap();
    let addr = proxy.local_addr();

    let script = rawhttp::get(addr, "/cgi-bin/hello.sh/extra").await.unwrap();
    assert_eq!(script.status, 200, "{}", script.text());
    assert_eq!(
        script.text(),
        "hello from /cgi-bin/hello.sh, PATH_INFO=/extra, via miniproxy\n"
    );
    let page = rawhttp::get(addr, "/index.html").await.unwrap();
    assert_eq!(page.text(), "<h1>home</h1>\n");
    let dynamic = rawhttp::get(addr, "/hello").await.unwrap();
    assert_eq!(dynamic.header("x-profile"), Some("blue"));
    // The CGI host's own guard: nothing climbs out of the scripts' folder.
    let climb = rawhttp::get(addr, "/cgi-bin/%2e%2e/public/index.html")
        .await
        .unwrap();
    assert_eq!(climb.status, 400, "{}", climb.text());

    proxy.stop().await;
    app.stop().await;
}

#[test]
fn a_missing_script_folder_is_named() {
    let error = Config::parse(
        "[[cgi]]\nprefix = \"/cgi-bin/\"\nroot = \"no/such/folder\"\n",
        "test.toml",
        std::path::Path::new("/tmp"),
    )
    .unwrap_err()
    .to_string();
    assert!(error.starts_with("test.toml:3:8:"), "{error}");
}

/// The chapter's file, `playground/ch4/miniproxy.toml`, with a free port
/// and a real demo-was in place of 9000: its `hello.sh` answers.
#[tokio::test]
async fn the_chapters_config_runs_the_playground_scripts() {
    let app = demo_was::start(demo_was::Options::on_free_port("blue"))
        .await
        .unwrap();
    let path = std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../playground/ch4/miniproxy.toml"
    ));
    let mut config = Config::load(path).unwrap();
    config.listen = "127.0.0.1:0".parse().unwrap();
    config.upstream = Some(app.local_addr().to_string().parse().unwrap());
    config.access_log = miniproxy::access_log::Destination::Off;
    let proxy = miniproxy::start(config, Hooks::default()).await.unwrap();
    let hello = rawhttp::get(proxy.local_addr(), "/cgi-bin/hello.sh")
        .await
        .unwrap();
    assert!(
        hello
            .text()
            .starts_with("Hello from a shell script, process "),
        "{}",
        hello.text()
    );
    let app_answer = rawhttp::get(proxy.local_addr(), "/hello").await.unwrap();
    assert_eq!(app_answer.header("x-profile"), Some("blue"));
    proxy.stop().await;
    app.stop().await;
}
