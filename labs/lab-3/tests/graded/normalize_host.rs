//! Graded: `normalize_host`, through the real proxy: a Host written in
//! some other way must still reach site `app1` (or `app2`).

use crate::support::{answered_by, describe, fail, Bench, Yours};

const SECTION: &str = "What the Host header says";

/// `GET /hello` with `Host: host` must be answered by site `site`.
async fn reaches(host: &str, site: &str) {
    let bench = Bench::sites(Yours::NormalizeHost, true).await;
    let answer = bench.get("/hello", host).await;
    if !answered_by(&answer, site) {
        fail(
            &format!("GET /hello with Host: {host}"),
            &format!("200 from demo-was {site} (site {site})"),
            &describe(&answer),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn a_plain_name_reaches_its_site() {
    reaches("app1.example.com", "app1").await;
}

#[tokio::test]
async fn names_are_compared_without_case() {
    reaches("APP1.Example.COM", "app1").await;
}

#[tokio::test]
async fn the_port_is_not_part_of_the_name() {
    reaches("app1.example.com:8080", "app1").await;
}

#[tokio::test]
async fn a_trailing_dot_is_ignored() {
    reaches("app1.example.com.", "app1").await;
}

#[tokio::test]
async fn an_absolute_form_target_names_the_site() {
    // The URL's authority wins over the Host header (RFC 9112 §3.2.2); the
    // proxy makes Host agree before your function sees it.
    let bench = Bench::sites(Yours::NormalizeHost, true).await;
    let request = "GET http://app2.example.com:8080/hello with Host: app1.example.com";
    let answer = bench
        .raw(
            "GET http://app2.example.com:8080/hello HTTP/1.1\r\nHost: app1.example.com\r\n\
             Connection: close\r\n\r\n",
        )
        .await;
    if !answered_by(&answer, "app2") {
        fail(
            request,
            "200 from demo-was app2 (site app2)",
            &describe(&answer),
            SECTION,
        );
    }
    bench.stop().await;
}
