//! Graded: `header_variables`, what the client said, through the real
//! cgi-runner and real scripts.

use crate::support::{have, Bench};

const SECTION: &str = "What the client said";

#[tokio::test]
async fn headers_become_http_variables() {
    let bench = Bench::for_header_variables().await;
    let seen = bench
        .send(
            "GET",
            "/cgi-bin/env.sh",
            &[("User-Agent", "lab4/1.0"), ("X-Request-Id", "abc-123")],
        )
        .await;
    seen.expect("HTTP_USER_AGENT", "lab4/1.0", SECTION);
    seen.expect("HTTP_X_REQUEST_ID", "abc-123", SECTION);
    seen.expect("HTTP_HOST", &bench.addr().to_string(), SECTION);
    bench.stop().await;
}

#[tokio::test]
async fn repeated_headers_are_joined() {
    if !have("perl") {
        return;
    }
    let bench = Bench::for_header_variables().await;
    let seen = bench
        .send(
            "GET",
            "/cgi-bin/env.pl",
            &[
                ("Accept", "text/html"),
                ("Accept", "text/plain"),
                ("Accept", "*/*"),
            ],
        )
        .await;
    seen.expect("HTTP_ACCEPT", "text/html, text/plain, */*", SECTION);
    bench.stop().await;
}

#[tokio::test]
async fn content_type_and_length_have_no_http_prefix() {
    let bench = Bench::for_header_variables().await;
    let raw = "POST /cgi-bin/env.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
    let seen = bench
        .send_raw(
            "POST /cgi-bin/env.sh with a 2-byte JSON body",
            raw.as_bytes(),
        )
        .await;
    seen.expect("CONTENT_TYPE", "application/json", SECTION);
    seen.expect("CONTENT_LENGTH", "2", SECTION);
    seen.expect_absent(
        "HTTP_CONTENT_TYPE",
        "CONTENT_TYPE has no HTTP_ prefix",
        SECTION,
    );
    seen.expect_absent(
        "HTTP_CONTENT_LENGTH",
        "CONTENT_LENGTH has no HTTP_ prefix",
        SECTION,
    );
    bench.stop().await;
}

#[tokio::test]
async fn proxy_header_never_becomes_http_proxy() {
    if !have("python3") {
        return;
    }
    let bench = Bench::for_header_variables().await;
    let seen = bench
        .send(
            "GET",
            "/cgi-bin/env.py",
            &[("Proxy", "http://evil.example:3128")],
        )
        .await;
    seen.expect_absent(
        "HTTP_PROXY",
        "httpoxy: HTTP_PROXY would send the script's own requests through the attacker's proxy",
        SECTION,
    );
    bench.stop().await;
}

#[tokio::test]
async fn authorization_stays_with_the_server() {
    let bench = Bench::for_header_variables().await;
    let seen = bench
        .send(
            "GET",
            "/cgi-bin/env.sh",
            &[("Authorization", "Basic YWRtaW46c2VjcmV0")],
        )
        .await;
    seen.expect_absent(
        "HTTP_AUTHORIZATION",
        "credentials stay with the server",
        SECTION,
    );
    bench.stop().await;
}

#[tokio::test]
async fn a_header_with_an_underscore_is_dropped() {
    let bench = Bench::for_header_variables().await;
    let seen = bench
        .send("GET", "/cgi-bin/env.sh", &[("X_Forwarded_User", "admin")])
        .await;
    seen.expect_absent(
        "HTTP_X_FORWARDED_USER",
        "`X_Forwarded_User` would pass for `X-Forwarded-User`, a header a proxy in front may set",
        SECTION,
    );
    bench.stop().await;
}

#[tokio::test]
async fn a_non_text_value_is_dropped_without_failing() {
    let bench = Bench::for_header_variables().await;
    let mut raw = b"GET /cgi-bin/env.sh HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Name: caf\xe9\r\nX-Ok: yes\r\n\r\n".to_vec();
    raw.shrink_to_fit();
    let seen = bench
        .send_raw(
            "GET /cgi-bin/env.sh with `X-Name: caf\\xe9` (not text) and `X-Ok: yes`",
            &raw,
        )
        .await;
    seen.expect("HTTP_X_OK", "yes", SECTION);
    seen.expect_absent("HTTP_X_NAME", "its value is not text", SECTION);
    bench.stop().await;
}
