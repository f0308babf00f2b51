//! Graded: `resolve`, the URL path → file decision, through the real proxy.

use lab_1::Refused;

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

#[tokio::test]
async fn a_double_dot_inside_a_name_is_just_a_name() {
    // Only a whole `..` segment climbs; `v1..2.txt` is an ordinary name.
    assert_serves(
        "/docs/v1..2.txt",
        "version notes\n",
        "www/docs/v1..2.txt (a `..` inside a name is not a parent segment)",
    )
    .await;
}

/// Every way of spelling "go up a directory" must be refused with
/// 400 Bad Request before the disk is touched, and for the right reason:
/// the body carries `resolve`'s refusal, and `reason` is the one expected.
async fn assert_refused(target: &str, reason: Refused, why: &str) {
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
    if answer.status != 400 || !answer.text().contains(&reason.to_string()) {
        fail(
            &format!("GET {target}"),
            &format!("400 Bad Request from resolve(), Refused::{reason:?} (\"{reason}\"): {why}"),
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
        Refused::ParentDir,
        "`..` climbs out of the web root",
    )
    .await;
}

#[tokio::test]
async fn encoded_dots_are_refused() {
    assert_refused(
        "/static/%2e%2e/%2E%2E/secret.txt",
        Refused::ParentDir,
        "%2e%2e decodes to `..`: decode first, then check",
    )
    .await;
}

#[tokio::test]
async fn encoded_slashes_do_not_hide_parent_segments() {
    assert_refused(
        "/static/..%2f..%2fsecret.txt",
        Refused::ParentDir,
        "%2f decodes to `/`, so this is `../../secret.txt`",
    )
    .await;
}

#[tokio::test]
async fn backslashes_are_refused() {
    // Refused as backslashes, not split on: `\` is never a separator here.
    assert_refused(
        "/static/..%5c..%5csecret.txt",
        Refused::Backslash,
        "a backslash is a path separator on Windows; refuse it, don't split on it",
    )
    .await;
    assert_refused(
        "/static/a%5cb.css",
        Refused::Backslash,
        "a backslash never belongs in a name, even without `..`",
    )
    .await;
}

#[tokio::test]
async fn nul_bytes_are_refused() {
    assert_refused(
        "/static/style.css%00.png",
        Refused::NulByte,
        "a NUL byte cuts a path short in C APIs",
    )
    .await;
}

#[tokio::test]
async fn invalid_utf8_is_refused() {
    assert_refused(
        "/static/%ff%fe.css",
        Refused::NotUtf8,
        "%ff%fe is not UTF-8 text; refuse it, don't replace it",
    )
    .await;
}
