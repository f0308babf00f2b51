//! Disk errors a client can cause on purpose get a 4xx, not a 500.

use miniproxy::{Config, Hooks};
use testkit::http as rawhttp;

#[tokio::test]
async fn a_too_long_name_is_404_and_a_symlink_loop_is_403() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ok.txt"), "ok").unwrap();
    // A loop a careless deploy could leave behind: a -> b -> a.
    std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
    std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
    let config = Config::static_site(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap());
    let server = miniproxy::start(config, Hooks::default()).await.unwrap();
    let addr = server.local_addr();

    // Linux allows 255 bytes per name: this one is ENAMETOOLONG.
    let long = format!("/{}.txt", "n".repeat(300));
    let answer = rawhttp::get(addr, &long).await.unwrap();
    assert_eq!(answer.status, 404, "{}", answer.text());
    assert_eq!(answer.text(), "404 Not Found: no such file\n");

    for looped in ["/a", "/b/x.txt"] {
        let answer = rawhttp::get(addr, looped).await.unwrap();
        assert_eq!(answer.status, 403, "{looped}: {}", answer.text());
        assert_eq!(
            answer.text(),
            "403 Forbidden: the path loops through symlinks\n"
        );
    }
    // And the server is as well as before.
    assert_eq!(rawhttp::get(addr, "/ok.txt").await.unwrap().text(), "ok");
    server.stop().await;
}
