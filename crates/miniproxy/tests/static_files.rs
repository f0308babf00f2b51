//! miniproxy as a plain web server: files, validators, and the root's walls.

use std::path::Path;

use miniproxy::{Config, Hooks, Running};
use testkit::http::{self as rawhttp, Answer};

struct Site {
    server: Running,
    dir: tempfile::TempDir,
}

impl Site {
    async fn start() -> Site {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "outside.txt", "outside the root");
        write(dir.path(), "www/index.html", "<h1>home</h1>");
        write(dir.path(), "www/style.css", "body{}");
        write(dir.path(), "www/docs/index.html", "<h1>docs</h1>");
        write(dir.path(), "www/data.bin", "\u{1}\u{2}");
        let config = Config::static_site(dir.path().join("www"), "127.0.0.1:0".parse().unwrap());
        let server = miniproxy::start(config, Hooks::default()).await.unwrap();
        Site { server, dir }
    }

    fn www(&self) -> std::path::PathBuf {
        self.dir.path().join("www")
    }

    async fn get(&self, target: &str) -> Answer {
        rawhttp::get(self.server.local_addr(), target)
            .await
            .unwrap()
    }

    async fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Answer {
        rawhttp::request(self.server.local_addr(), method, target, headers)
            .await
            .unwrap()
    }
}

fn write(root: &Path, relative: &str, text: &str) {
    let path = root.join(relative);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

#[tokio::test]
async fn serves_files_with_type_length_and_validators() {
    let site = Site::start().await;
    let answer = site.get("/style.css").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.text(), "body{}");
    assert_eq!(
        answer.header("content-type"),
        Some("text/css; charset=utf-8")
    );
    assert_eq!(answer.header("content-length"), Some("6"));
    assert_eq!(answer.header("server"), Some("miniproxy"));
    assert!(answer.header("etag").is_some());
    assert!(answer.header("last-modified").is_some());
    let binary = site.get("/data.bin").await;
    assert_eq!(
        binary.header("content-type"),
        Some("application/octet-stream")
    );
    site.server.stop().await;
}

#[tokio::test]
async fn directories_serve_index_html_and_redirect_without_slash() {
    let site = Site::start().await;
    assert_eq!(site.get("/").await.text(), "<h1>home</h1>");
    assert_eq!(site.get("/docs/").await.text(), "<h1>docs</h1>");
    let redirect = site.get("/docs?x=1").await;
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/docs/?x=1"));
    site.server.stop().await;
}

#[tokio::test]
async fn missing_files_are_404_and_other_methods_405() {
    let site = Site::start().await;
    assert_eq!(site.get("/nope.css").await.status, 404);
    assert_eq!(site.get("/style.css/extra").await.status, 404);
    let post = site
        .request("POST", "/style.css", &[("Content-Length", "0")])
        .await;
    assert_eq!(post.status, 405);
    assert_eq!(post.header("allow"), Some("GET, HEAD"));
    site.server.stop().await;
}

#[tokio::test]
async fn head_has_the_headers_but_no_body() {
    let site = Site::start().await;
    let answer = site.request("HEAD", "/style.css", &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-length"), Some("6"));
    // Read the raw bytes: nothing may follow the header block.
    let raw = b"HEAD /style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    let mut stream = tokio::net::TcpStream::connect(site.server.local_addr())
        .await
        .unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream.write_all(raw).await.unwrap();
    let mut received = Vec::new();
    stream.read_to_end(&mut received).await.unwrap();
    assert!(received.ends_with(b"\r\n\r\n"), "HEAD sent a body");
    site.server.stop().await;
}

#[tokio::test]
async fn conditional_requests_get_304() {
    let site = Site::start().await;
    let first = site.get("/style.css").await;
    let etag = first.header("etag").unwrap().to_owned();
    let modified = first.header("last-modified").unwrap().to_owned();

    let by_tag = site
        .request("GET", "/style.css", &[("If-None-Match", &etag)])
        .await;
    assert_eq!(by_tag.status, 304);
    assert!(by_tag.body.is_empty());
    let weak = format!("\"other\", W/{etag}");
    let by_weak_tag = site
        .request("GET", "/style.css", &[("If-None-Match", &weak)])
        .await;
    assert_eq!(by_weak_tag.status, 304);
    let by_date = site
        .request("GET", "/style.css", &[("If-Modified-Since", &modified)])
        .await;
    assert_eq!(by_date.status, 304);

    // If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2).
    let stale_tag = site
        .request(
            "GET",
            "/style.css",
            &[
                ("If-None-Match", "\"stale\""),
                ("If-Modified-Since", &modified),
            ],
        )
        .await;
    assert_eq!(stale_tag.status, 200);
    let old_date = site
        .request(
            "GET",
            "/style.css",
            &[("If-Modified-Since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        )
        .await;
    assert_eq!(old_date.status, 200);
    site.server.stop().await;
}

#[tokio::test]
async fn traversal_in_every_spelling_is_refused() {
    let site = Site::start().await;
    for target in [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/docs/..%2f..%2foutside.txt",
        "/..%5coutside.txt",
        "/style.css%00",
        "/%c0%ae%c0%ae/outside.txt",
    ] {
        let answer = site.get(target).await;
        assert_eq!(answer.status, 400, "{target}: {}", answer.text());
        assert!(!answer.text().contains("outside the root"));
    }
    site.server.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn symlinks_out_of_the_root_are_refused_and_inside_allowed() {
    let site = Site::start().await;
    std::os::unix::fs::symlink(
        site.dir.path().join("outside.txt"),
        site.www().join("leak.txt"),
    )
    .unwrap();
    std::os::unix::fs::symlink(site.dir.path(), site.www().join("up")).unwrap();
    std::os::unix::fs::symlink(site.www().join("style.css"), site.www().join("alias.css")).unwrap();

    let leak = site.get("/leak.txt").await;
    assert_eq!(leak.status, 403, "{}", leak.text());
    assert_eq!(site.get("/up/outside.txt").await.status, 403);
    let alias = site.get("/alias.css").await;
    assert_eq!((alias.status, alias.text().as_str()), (200, "body{}"));
    site.server.stop().await;
}

#[tokio::test]
async fn large_files_stream_completely() {
    let site = Site::start().await;
    // 5 MiB of a repeating pattern: bigger than any single read buffer.
    let content: Vec<u8> = (0..5 * 1024 * 1024).map(|i| (i % 251) as u8).collect();
    std::fs::write(site.www().join("big.bin"), &content).unwrap();
    let answer = site.get("/big.bin").await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-length"), Some("5242880"));
    assert!(
        answer.body == content,
        "the streamed body differs from the file"
    );
    site.server.stop().await;
}

#[tokio::test]
async fn a_panicking_hook_is_a_500_not_a_dropped_connection() {
    let dir = tempfile::tempdir().unwrap();
    let config = Config::static_site(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap());
    let hooks = Hooks {
        resolve: |_| panic!("not written yet"),
        ..Hooks::default()
    };
    let server = miniproxy::start(config, hooks).await.unwrap();
    let answer = rawhttp::get(server.local_addr(), "/x").await.unwrap();
    assert_eq!(answer.status, 500);
    assert!(answer
        .text()
        .contains("`resolve` hook panicked: not written yet"));
    // The server lives on after the panic.
    assert_eq!(
        rawhttp::get(server.local_addr(), "/x")
            .await
            .unwrap()
            .status,
        500
    );
    server.stop().await;
}

// Small files are kept in memory between requests (files/cache.rs). Each
// test below asks twice, so the second answer comes through the cache, and
// proves it is never staler than its rules allow.

#[tokio::test]
async fn a_file_edited_in_place_is_served_new_at_once() {
    let site = Site::start().await;
    assert_eq!(site.get("/style.css").await.text(), "body{}");
    assert_eq!(site.get("/style.css").await.text(), "body{}");
    // Same inode, new content and modification time.
    std::fs::write(site.www().join("style.css"), "body{color:red}").unwrap();
    let answer = site.get("/style.css").await;
    assert_eq!(answer.text(), "body{color:red}");
    assert_eq!(answer.header("content-length"), Some("15"));
    site.server.stop().await;
}

#[tokio::test]
async fn a_file_replaced_by_a_rename_is_served_new_at_once() {
    let site = Site::start().await;
    assert_eq!(site.get("/style.css").await.text(), "body{}");
    // A deploy's way: write elsewhere, rename over (a new inode). Same
    // length, so only the inode tells the versions apart.
    write(&site.www(), "style.new", "html{}");
    std::fs::rename(site.www().join("style.new"), site.www().join("style.css")).unwrap();
    assert_eq!(site.get("/style.css").await.text(), "html{}");
    site.server.stop().await;
}

#[tokio::test]
async fn a_deleted_file_is_404_at_once() {
    let site = Site::start().await;
    assert_eq!(site.get("/style.css").await.status, 200);
    std::fs::remove_file(site.www().join("style.css")).unwrap();
    assert_eq!(site.get("/style.css").await.status, 404);
    site.server.stop().await;
}

#[tokio::test]
async fn a_cached_file_still_answers_conditional_and_head_requests() {
    let site = Site::start().await;
    let first = site.get("/style.css").await;
    let etag = first.header("etag").unwrap().to_string();
    let again = site
        .request("GET", "/style.css", &[("If-None-Match", &etag)])
        .await;
    assert_eq!(again.status, 304);
    assert_eq!(again.text(), "");
    let head = site.request("HEAD", "/style.css", &[]).await;
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("6"));
    assert_eq!(head.text(), "");
    site.server.stop().await;
}

#[tokio::test]
async fn a_symlink_switched_to_another_release_is_followed_within_a_second() {
    let site = Site::start().await;
    write(&site.www(), "releases/v1/app.js", "v1");
    write(&site.www(), "releases/v2/app.js", "v2");
    let current = site.www().join("current");
    std::os::unix::fs::symlink("releases/v1", &current).unwrap();
    assert_eq!(site.get("/current/app.js").await.text(), "v1");
    assert_eq!(site.get("/current/app.js").await.text(), "v1");
    // The deploy switches the link; v1's file is untouched, so only
    // resolving the path again can notice (at most a second later).
    let next = site.www().join("current.next");
    std::os::unix::fs::symlink("releases/v2", &next).unwrap();
    std::fs::rename(&next, &current).unwrap();
    testkit::wait::wait_until("the new release is served", || async {
        site.get("/current/app.js").await.text() == "v2"
    })
    .await;
    site.server.stop().await;
}
