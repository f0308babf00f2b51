//! Graded: `resolve`, the URL path → file decision, through the real proxy.

use crate::support::{fail, Bench, SECRET, STATIC_INDEX, STYLE_CSS};

const SECTION: &str = "Which file does a URL mean?";

/// `GET target` must answer 200 with exactly `body`: the file `expected`
/// names, found by your `resolve`.
async fn assert_serves(target: &str, body: &str, expected: &str) {
    let bench = Bench::for_resolve().await;
    let answer = bench.get(target).await;
    if answer.status != 200 || answer.text() != body {
        fail(
            &format!("GET {target}"),
            &format!("200 with {expected}"),
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn a_static_file_is_served_from_the_web_root() {
    assert_serves(
        "/static/style.css",
        STYLE_CSS,
        "the bytes of www/static/style.css",
    )
    .await;
}

#[tokio::test]
async fn percent_encoded_names_are_decoded() {
    assert_serves(
        "/static/hello%20world.css",
        "/* hello */\n",
        "www/static/hello world.css (%20 is a space)",
    )
    .await;
}

#[tokio::test]
async fn empty_and_dot_segments_are_skipped() {
    assert_serves(
        "/static//./style.css",
        STYLE_CSS,
        "www/static/style.css (\"\" and \".\" segments add nothing)",
    )
    .await;
}

#[tokio::test]
async fn the_root_and_directories_serve_their_index() {
    assert_serves(
        "/static/",
        STATIC_INDEX,
        "www/static/index.html (resolve returns `static`, the server adds index.html)",
    )
    .await;
}

/// Every way of spelling "go up a directory" must be refused with
/// 400 Bad Request before the disk is touched.
async fn assert_refused(target: &str, why: &str) {
    let bench = Bench::for_resolve().await;
    let answer = bench.get(target).await;
    if answer.text().contains(SECRET) {
        fail(
            &format!("GET {target}"),
            "400 Bad Request, and never the secret file",
            &answer,
            SECTION,
        );
    }
    if answer.status != 400 {
        fail(
            &format!("GET {target}"),
            &format!("400 Bad Request from resolve(): {why}"),
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn parent_segments_are_refused() {
    assert_refused(
        "/static/../../secret.txt",
        "`..` climbs out of the web root",
    )
    .await;
}

#[tokio::test]
async fn encoded_dots_are_refused() {
    assert_refused(
        "/static/%2e%2e/%2E%2E/secret.txt",
        "%2e%2e decodes to `..`: decode first, then check",
    )
    .await;
}

#[tokio::test]
async fn encoded_slashes_do_not_hide_parent_segments() {
    assert_refused(
        "/static/..%2f..%2fsecret.txt",
        "%2f decodes to `/`, so this is `../../secret.txt`",
    )
    .await;
}

#[tokio::test]
async fn backslashes_are_refused() {
    assert_refused(
        "/static/..%5c..%5csecret.txt",
        "a backslash is a path separator on Windows",
    )
    .await;
}

#[tokio::test]
async fn nul_bytes_are_refused() {
    assert_refused(
        "/static/style.css%00.png",
        "a NUL byte cuts a path short in C APIs",
    )
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_refused() {
    assert_refused("/static/%ff%fe.css", "%ff%fe is not UTF-8 text").await;
}
