//! Graded: `select_site`, through the real proxy. The sites, in order:
//! `app1` (app1.example.com), `wild` (*.example.com), `app2`
//! (app2.example.com), `api` (*.api.example.com) and `fallback`
//! (fallback.test, the default site).

use crate::support::{answered_by, describe, fail, Bench, Yours};

const SECTION: &str = "Choosing the site";

/// Each `(host, site)`: `GET /hello` with that Host is answered by that site.
async fn each_reaches(cases: &[(&str, &str)]) {
    let bench = Bench::sites(Yours::SelectSite, true).await;
    for (host, site) in cases {
        let answer = bench.get("/hello", host).await;
        if !answered_by(&answer, site) {
            fail(
                &format!("GET /hello with Host: {host}"),
                &format!("200 from demo-was {site} (site {site})"),
                &describe(&answer),
                SECTION,
            );
        }
    }
    bench.stop().await;
}

#[tokio::test]
async fn an_exact_name_is_found() {
    each_reaches(&[("app1.example.com", "app1"), ("fallback.test", "fallback")]).await;
}

#[tokio::test]
async fn an_exact_name_beats_a_wildcard() {
    // `wild` (*.example.com) comes before `app2` in the config.
    each_reaches(&[("app2.example.com", "app2")]).await;
}

#[tokio::test]
async fn a_wildcard_matches_one_or_more_labels() {
    each_reaches(&[("www.example.com", "wild"), ("a.b.example.com", "wild")]).await;
}

#[tokio::test]
async fn a_wildcard_never_matches_the_bare_domain() {
    each_reaches(&[("example.com", "fallback")]).await;
}

#[tokio::test]
async fn a_wildcard_needs_the_dot_in_front() {
    each_reaches(&[("evilexample.com", "fallback")]).await;
}

#[tokio::test]
async fn the_longest_wildcard_wins() {
    // `wild` (*.example.com) comes before `api` (*.api.example.com).
    each_reaches(&[("v1.api.example.com", "api")]).await;
}

#[tokio::test]
async fn an_unknown_name_goes_to_the_default_site() {
    each_reaches(&[("unknown.test", "fallback")]).await;
}

#[tokio::test]
async fn no_host_goes_to_the_default_site() {
    let bench = Bench::sites(Yours::SelectSite, true).await;
    // HTTP/1.0 may leave Host out; your function gets `None`.
    let answer = bench.raw("GET /hello HTTP/1.0\r\n\r\n").await;
    if !answered_by(&answer, "fallback") {
        fail(
            "GET /hello HTTP/1.0 without a Host header",
            "200 from demo-was fallback (site fallback, the default)",
            &describe(&answer),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn without_a_default_an_unknown_name_is_misdirected() {
    let bench = Bench::sites(Yours::SelectSite, false).await;
    let answer = bench.get("/hello", "unknown.test").await;
    if answer.status != 421 || answer.header("x-profile").is_some() {
        fail(
            "GET /hello with Host: unknown.test (no site is the default)",
            "421 from miniproxy: no site here is named `unknown.test`",
            &describe(&answer),
            SECTION,
        );
    }
    bench.stop().await;
}
