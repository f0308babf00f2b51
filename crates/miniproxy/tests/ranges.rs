//! Range requests on static files, over real TCP: the raw client for the
//! exact headers, and the real curl for `-r` and a resumed download.

use std::net::SocketAddr;

use miniproxy::{Config, Hooks, Running};
use testkit::http::{self as rawhttp, Answer};
use testkit::tool;

/// Bigger than the 64 KiB that miniproxy reads in one go, so ranges of it
/// are streamed from disk.
const BIG: usize = 200_000;

/// Bytes that differ from their neighbours, so a wrong offset shows.
fn big_file() -> Vec<u8> {
    (0..BIG).map(|i| (i % 251) as u8).collect()
}

struct Site {
    server: Running,
    _dir: tempfile::TempDir,
}

impl Site {
    async fn start() -> Site {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ten.txt"), "0123456789").unwrap();
        std::fs::write(dir.path().join("big.bin"), big_file()).unwrap();
        std::fs::write(dir.path().join("empty.txt"), "").unwrap();
        let config = Config::static_site(dir.path().to_path_buf(), "127.0.0.1:0".parse().unwrap());
        let server = miniproxy::start(config, Hooks::default()).await.unwrap();
        Site { server, _dir: dir }
    }

    fn addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    async fn get(&self, target: &str, headers: &[(&str, &str)]) -> Answer {
        rawhttp::request(self.addr(), "GET", target, headers)
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn files_say_they_accept_ranges() {
    let site = Site::start().await;
    let answer = site.get("/ten.txt", &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("accept-ranges"), Some("bytes"));
    site.server.stop().await;
}

#[tokio::test]
async fn the_three_forms_of_one_range_get_206_and_only_those_bytes() {
    let site = Site::start().await;
    for (range, body, content_range) in [
        ("bytes=2-4", "234", "bytes 2-4/10"),
        ("bytes=7-", "789", "bytes 7-9/10"),
        ("bytes=-3", "789", "bytes 7-9/10"),
        ("bytes=8-100", "89", "bytes 8-9/10"),
    ] {
        let answer = site.get("/ten.txt", &[("Range", range)]).await;
        assert_eq!(answer.status, 206, "{range}");
        assert_eq!(answer.text(), body, "{range}");
        assert_eq!(
            answer.header("content-range"),
            Some(content_range),
            "{range}"
        );
        let length = body.len().to_string();
        assert_eq!(answer.header("content-length"), Some(&*length), "{range}");
        assert_eq!(
            answer.header("content-type"),
            Some("text/plain; charset=utf-8")
        );
    }
    site.server.stop().await;
}

#[tokio::test]
async fn a_range_of_a_large_file_is_streamed_from_its_offset() {
    let site = Site::start().await;
    let file = big_file();
    let answer = site
        .get("/big.bin", &[("Range", "bytes=1000-150999")])
        .await;
    assert_eq!(answer.status, 206);
    assert_eq!(
        answer.header("content-range"),
        Some("bytes 1000-150999/200000")
    );
    assert_eq!(answer.body.len(), 150_000);
    assert!(answer.body == file[1000..151_000], "wrong bytes");
    let tail = site.get("/big.bin", &[("Range", "bytes=-70000")]).await;
    assert!(tail.body == file[BIG - 70_000..], "wrong tail");
    site.server.stop().await;
}

#[tokio::test]
async fn a_range_past_the_end_is_416_with_the_real_length() {
    let site = Site::start().await;
    for (target, range, length) in [
        ("/ten.txt", "bytes=10-", "bytes */10"),
        ("/ten.txt", "bytes=-0", "bytes */10"),
        ("/empty.txt", "bytes=0-", "bytes */0"),
    ] {
        let answer = site.get(target, &[("Range", range)]).await;
        assert_eq!(answer.status, 416, "{target} {range}");
        assert_eq!(answer.header("content-range"), Some(length));
        assert!(answer.text().starts_with("416 Range Not Satisfiable: "));
    }
    site.server.stop().await;
}

#[tokio::test]
async fn several_ranges_or_a_malformed_one_get_the_whole_file() {
    let site = Site::start().await;
    for range in ["bytes=0-1,4-5", "bytes=5-2", "lines=1-2", "bytes=a-"] {
        let answer = site.get("/ten.txt", &[("Range", range)]).await;
        assert_eq!(answer.status, 200, "{range}");
        assert_eq!(answer.text(), "0123456789", "{range}");
        assert_eq!(answer.header("content-range"), None, "{range}");
    }
    site.server.stop().await;
}

#[tokio::test]
async fn if_range_honours_the_range_only_for_the_current_version() {
    let site = Site::start().await;
    let whole = site.get("/ten.txt", &[]).await;
    let etag = whole.header("etag").unwrap().to_owned();
    let date = whole.header("last-modified").unwrap().to_owned();
    let range = ("Range", "bytes=0-1");

    for current in [&*etag, &*date] {
        let answer = site.get("/ten.txt", &[range, ("If-Range", current)]).await;
        assert_eq!(answer.status, 206, "If-Range: {current}");
        assert_eq!(answer.text(), "01");
    }
    let weak = format!("W/{etag}");
    for stale in [
        "\"another-version\"",
        &weak,
        "Thu, 01 Jan 1970 00:00:00 GMT",
    ] {
        let answer = site.get("/ten.txt", &[range, ("If-Range", stale)]).await;
        assert_eq!(answer.status, 200, "If-Range: {stale}");
        assert_eq!(answer.text(), "0123456789", "If-Range: {stale}");
    }
    site.server.stop().await;
}

#[tokio::test]
async fn head_and_304_are_unchanged_by_a_range() {
    let site = Site::start().await;
    let range = ("Range", "bytes=0-1");
    let head = rawhttp::request(site.addr(), "HEAD", "/ten.txt", &[range])
        .await
        .unwrap();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some("10"));
    assert_eq!(head.header("accept-ranges"), Some("bytes"));

    let etag = head.header("etag").unwrap();
    let fresh = site
        .get("/ten.txt", &[range, ("If-None-Match", etag)])
        .await;
    assert_eq!(fresh.status, 304);
    assert!(fresh.body.is_empty());
    site.server.stop().await;
}

/// Runs the real curl off the async threads (it blocks); `None` when curl
/// is not installed (the skip is printed).
async fn curl(args: &[String]) -> Option<String> {
    let curl = tool("curl")?;
    let args = args.to_vec();
    let output = tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        testkit::curl(&curl, &args)
    });
    Some(output.await.unwrap())
}

#[tokio::test(flavor = "multi_thread")]
async fn curl_r_gets_a_range() {
    let site = Site::start().await;
    let url = format!("http://{}/ten.txt", site.addr());
    let args = ["-r".to_owned(), "3-5".to_owned(), url];
    if let Some(body) = curl(&args).await {
        assert_eq!(body, "345");
    }
    site.server.stop().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn curl_resumes_a_broken_download() {
    let site = Site::start().await;
    let downloads = tempfile::tempdir().unwrap();
    let partial = downloads.path().join("big.bin");
    // What a download cut off after 50 000 bytes leaves behind.
    std::fs::write(&partial, &big_file()[..50_000]).unwrap();
    let url = format!("http://{}/big.bin", site.addr());
    let output = partial.display().to_string();
    // `-C -`: look at the file's size and ask for the rest
    // (`Range: bytes=50000-`), appending what comes.
    let args = ["-C", "-", "-o", &output, "-w", "%{http_code}", &url].map(str::to_owned);
    if let Some(status) = curl(&args).await {
        assert_eq!(status, "206");
        let resumed = std::fs::read(&partial).unwrap();
        assert_eq!(resumed.len(), BIG);
        assert!(
            resumed == big_file(),
            "the resumed file differs from the original"
        );
    }
    site.server.stop().await;
}
