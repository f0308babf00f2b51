//! Graded: `rewrite_headers`, through the real proxy. demo-was's
//! `/headers` answers with the request headers it received, one per line,
//! so the tests read exactly what crossed the proxy.

use crate::support::{describe, fail, Bench, Yours};

const SECTION: &str = "What crosses the proxy";

/// What demo-was saw for `header` (lower case), if anything.
fn seen<'a>(body: &'a str, header: &str) -> Option<&'a str> {
    body.lines()
        .find_map(|line| line.strip_prefix(header)?.strip_prefix(": "))
}

async fn headers_seen(bench: &Bench, request: &str, headers: &[(&str, &str)]) -> String {
    let answer = bench.request("/headers", headers).await;
    if answer.status != 200 || answer.header("x-profile").is_none() {
        fail(
            request,
            "200 from demo-was, listing the headers it received",
            &describe(&answer),
            SECTION,
        );
    }
    answer.text()
}

#[tokio::test]
async fn the_upstream_learns_the_client_address() {
    let bench = Bench::start(Yours::RewriteHeaders).await;
    let request = "GET /headers (no X-Forwarded-For)";
    let body = headers_seen(&bench, request, &[]).await;
    if seen(&body, "x-forwarded-for") != Some("127.0.0.1") {
        fail(
            request,
            "demo-was sees `x-forwarded-for: 127.0.0.1`",
            &format!("demo-was saw:\n{body}"),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn an_existing_forwarded_for_is_appended_to() {
    let bench = Bench::start(Yours::RewriteHeaders).await;
    let request = "GET /headers with X-Forwarded-For: 203.0.113.7";
    let body = headers_seen(&bench, request, &[("X-Forwarded-For", "203.0.113.7")]).await;
    if seen(&body, "x-forwarded-for") != Some("203.0.113.7, 127.0.0.1") {
        fail(
            request,
            "`x-forwarded-for: 203.0.113.7, 127.0.0.1` (the earlier hop kept, yours added)",
            &format!("demo-was saw:\n{body}"),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn repeated_forwarded_for_lines_become_one_list() {
    let bench = Bench::start(Yours::RewriteHeaders).await;
    let request = "GET /headers with two X-Forwarded-For lines";
    let answer = bench
        .raw(
            "GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
             X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-For: 198.51.100.2\r\n\r\n",
        )
        .await;
    let body = answer.text();
    if seen(&body, "x-forwarded-for") != Some("203.0.113.7, 198.51.100.2, 127.0.0.1") {
        fail(
            request,
            "`x-forwarded-for: 203.0.113.7, 198.51.100.2, 127.0.0.1` (every line, in order)",
            &format!("{}\n{body}", describe(&answer)),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn hop_by_hop_headers_stay_behind() {
    let bench = Bench::start(Yours::RewriteHeaders).await;
    let request =
        "GET /headers with Keep-Alive, Proxy-Authorization, TE, Trailer, Upgrade, Proxy-Connection";
    let body = headers_seen(
        &bench,
        request,
        &[
            ("Keep-Alive", "timeout=5"),
            ("Proxy-Authorization", "Basic c2VjcmV0"),
            ("Proxy-Connection", "keep-alive"),
            ("TE", "trailers"),
            ("Trailer", "Expires"),
            ("Upgrade", "h2c"),
            ("X-Request-Id", "kept-1"),
        ],
    )
    .await;
    let leaked: Vec<&str> = [
        "keep-alive",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "upgrade",
    ]
    .into_iter()
    .filter(|name| seen(&body, name).is_some())
    .collect();
    if !leaked.is_empty() || seen(&body, "x-request-id") != Some("kept-1") {
        fail(
            request,
            "none of the hop-by-hop headers at demo-was, and `x-request-id: kept-1` passed on",
            &format!("these crossed: {leaked:?}; demo-was saw:\n{body}"),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn headers_named_in_connection_stay_behind() {
    let bench = Bench::start(Yours::RewriteHeaders).await;
    let request = "GET /headers with Connection: close, X-Trace-Hop ,x-other-HOP";
    let answer = bench
        .raw(
            "GET /headers HTTP/1.1\r\nHost: x\r\nConnection: close, X-Trace-Hop ,x-other-HOP\r\n\
             X-Trace-Hop: 1\r\nX-Other-Hop: 2\r\nX-Request-Id: kept-2\r\n\r\n",
        )
        .await;
    let body = answer.text();
    let leaked = seen(&body, "x-trace-hop").is_some() || seen(&body, "x-other-hop").is_some();
    if answer.status != 200 || leaked || seen(&body, "x-request-id") != Some("kept-2") {
        fail(
            request,
            "x-trace-hop and x-other-hop stay behind (Connection named them, in any case); x-request-id passes",
            &format!("{}\n{body}", describe(&answer)),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn bytes_that_are_not_ascii_do_not_stop_the_rewrite() {
    let bench = Bench::start(Yours::RewriteHeaders).await;
    let request = "GET /headers with Connection: caf\\xe9, X-Trace-Hop (one byte is not ASCII)";
    // Two Connection lines: the second closes the connection after the answer.
    let head = b"GET /headers HTTP/1.1\r\nHost: x\r\nConnection: caf\xe9, X-Trace-Hop\r\n\
                 Connection: close\r\nX-Trace-Hop: 1\r\n\r\n";
    let answer = testkit::http::request_bytes(bench.proxy.local_addr(), head, false)
        .await
        .expect("the proxy answers");
    let body = answer.text();
    if answer.status != 200
        || seen(&body, "x-trace-hop").is_some()
        || seen(&body, "x-forwarded-for") != Some("127.0.0.1")
    {
        fail(
            request,
            "200 from demo-was: x-trace-hop left behind, x-forwarded-for: 127.0.0.1 (skip what is not a name, keep going)",
            &format!("{}\n{body}", describe(&answer)),
            SECTION,
        );
    }
    bench.stop().await;
}
