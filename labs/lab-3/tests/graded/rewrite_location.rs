//! Graded: `rewrite_location`, through the real proxy. demo-was's
//! `/login-redirect` answers `302` with `Location: http://<the Host it was
//! sent>/login`; each site sends it a different Host (see support.rs), so
//! each redirect names something else.

use crate::support::{describe, fail, Bench, Yours};

const SECTION: &str = "ProxyPassReverse";

/// `GET /login-redirect` with `Host: host` must come back as a 302 with
/// `Location: want`.
async fn location_is(bench: &Bench, host: &str, want: &str, why: &str) {
    let answer = bench.get("/login-redirect", host).await;
    let got = answer.header("location");
    if answer.status != 302 || got != Some(want) {
        let got = match got {
            Some(location) => format!("{}, Location: {location}", describe(&answer)),
            None => describe(&answer),
        };
        fail(
            &format!("GET /login-redirect with Host: {host} ({why})"),
            &format!("302 with Location: {want}"),
            &got,
            SECTION,
        );
    }
}

#[tokio::test]
async fn a_redirect_to_the_upstream_gets_the_public_name() {
    let bench = Bench::redirects(Yours::RewriteLocation).await;
    let why = format!("the application says http://{}/login", bench.app_addr());
    location_is(
        &bench,
        "app1.example.com",
        "http://app1.example.com/login",
        &why,
    )
    .await;
    bench.stop().await;
}

#[tokio::test]
async fn the_public_port_is_kept() {
    let bench = Bench::redirects(Yours::RewriteLocation).await;
    let why = format!("the application says http://{}/login", bench.app_addr());
    location_is(
        &bench,
        "app1.example.com:8080",
        "http://app1.example.com:8080/login",
        &why,
    )
    .await;
    bench.stop().await;
}

#[tokio::test]
async fn the_upstream_name_is_compared_without_case() {
    let bench = Bench::redirects(Yours::RewriteLocation).await;
    let port = bench.app_addr().port();
    let why =
        format!("upstream localhost:{port}; the application says http://LocalHost:{port}/login");
    location_is(
        &bench,
        "case.example.com",
        "http://case.example.com/login",
        &why,
    )
    .await;
    bench.stop().await;
}

#[tokio::test]
async fn a_link_to_another_site_is_left_alone() {
    let bench = Bench::redirects(Yours::RewriteLocation).await;
    let why = "the application says http://elsewhere.example.org/login";
    location_is(
        &bench,
        "other.example.com",
        "http://elsewhere.example.org/login",
        why,
    )
    .await;
    bench.stop().await;
}

#[tokio::test]
async fn another_port_is_left_alone() {
    let bench = Bench::redirects(Yours::RewriteLocation).await;
    let addr = bench.app_addr();
    let want = format!("http://{addr}1/login");
    let why = format!("upstream {addr}; the application says {want}");
    location_is(&bench, "port.example.com", &want, &why).await;
    bench.stop().await;
}
