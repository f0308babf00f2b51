//! Graded: `classify`, the static-or-dynamic decision, through the real
//! proxy with a real demo-was behind it. The `Server` header tells who
//! answered: `miniproxy` served it from disk, `demo-was/…` ran the app.

use crate::support::{answered_by, fail, Bench};

const SECTION: &str = "Static or dynamic?";

/// Sends each target and checks which process answered it.
async fn assert_answered_by(cases: &[(&str, &str)]) {
    let bench = Bench::for_classify().await;
    for (target, expected) in cases {
        let answer = bench.get(target).await;
        // A 5xx is not an answer: it is the proxy reporting a failure (a
        // `todo!()` that panicked, or an upstream that could not be reached).
        if answered_by(&answer) != *expected || answer.status >= 500 {
            let kind = if *expected == "miniproxy" {
                "static"
            } else {
                "dynamic"
            };
            fail(
                &format!("GET {target}"),
                &format!("a {kind} request, answered by {expected}"),
                &answer,
                SECTION,
            );
        }
    }
    bench.stop().await;
}

#[tokio::test]
async fn dynamic_requests_reach_the_application_server() {
    assert_answered_by(&[("/hello", "demo-was"), ("/", "demo-was")]).await;
}

#[tokio::test]
async fn a_prefix_makes_requests_static() {
    assert_answered_by(&[
        ("/static/style.css", "miniproxy"),
        ("/static/app.js", "miniproxy"),
    ])
    .await;
}

#[tokio::test]
async fn prefixes_match_whole_segments_only() {
    // The rule is "/static/": "/static" itself is inside it, "/statics" is not.
    assert_answered_by(&[
        ("/static", "miniproxy"),
        ("/statics/x", "demo-was"),
        ("/staticky", "demo-was"),
    ])
    .await;
}

#[tokio::test]
async fn extensions_match_in_any_case() {
    assert_answered_by(&[
        ("/img/logo.png", "miniproxy"),
        ("/img/Logo.PNG", "miniproxy"),
        ("/a/b/c.Svg", "miniproxy"),
    ])
    .await;
}

#[tokio::test]
async fn only_the_last_segment_has_an_extension() {
    assert_answered_by(&[
        ("/v1.2/users", "demo-was"),
        ("/theme.css/edit", "demo-was"),
        ("/report.pdf", "demo-was"),
    ])
    .await;
}

#[tokio::test]
async fn the_extension_follows_the_last_dot() {
    // "site.min.css" is a stylesheet; "photo.png.bak" is a backup, not an image.
    assert_answered_by(&[
        ("/js/site.min.css", "miniproxy"),
        ("/photo.png.bak", "demo-was"),
    ])
    .await;
}

#[tokio::test]
async fn a_hidden_file_has_no_extension() {
    // Nothing stands before the dot: ".css" is a name, not an extension.
    assert_answered_by(&[("/.css", "demo-was"), ("/img/.png", "demo-was")]).await;
}
