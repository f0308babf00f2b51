//! Graded: `https_redirect`, through the real proxy and the real curl:
//! every site redirects plain HTTP to HTTPS.

use crate::support::{fail, Bench, Yours};

const SECTION: &str = "Redirecting to HTTPS";

/// `GET target` on the HTTP port with `Host: host` answers a 308 to
/// `expected` (`{https}` stands for the port redirects name).
async fn redirects(public_port: Option<u16>, host: &str, target: &str, expected: &str) {
    let Some(bench) = Bench::start(Yours::HttpsRedirect, true, public_port).await else {
        return;
    };
    let https = public_port.unwrap_or(bench.https_addr().port());
    let host = host.replace("{http}", &bench.http_addr().port().to_string());
    let expected = format!("308 {}", expected.replace("{https}", &https.to_string()));
    let seen = bench.plain(&host, target).await;
    let (body, last) = seen.stdout.rsplit_once('\n').unwrap_or(("", &seen.stdout));
    let got = match (seen.ok, last.trim()) {
        (false, _) => seen.error(),
        (true, last) if last.starts_with("308") => last.to_string(),
        (true, last) => format!("{last} {}", body.trim()),
    };
    if got != expected {
        fail(
            &format!("GET {target} over plain HTTP with Host: {host}"),
            &expected,
            &got,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn the_path_is_kept() {
    redirects(
        None,
        "app1.example.test:{http}",
        "/docs/start.html",
        "https://app1.example.test:{https}/docs/start.html",
    )
    .await;
}

#[tokio::test]
async fn the_query_is_kept() {
    redirects(
        None,
        "app1.example.test:{http}",
        "/search?q=tls&page=2",
        "https://app1.example.test:{https}/search?q=tls&page=2",
    )
    .await;
}

#[tokio::test]
async fn the_https_port_replaces_the_http_port() {
    redirects(
        None,
        "app2.example.test:{http}",
        "/",
        "https://app2.example.test:{https}/",
    )
    .await;
}

#[tokio::test]
async fn port_443_is_left_out() {
    // Clients reach HTTPS on 443 (a port forward): no port in the URL.
    redirects(
        Some(443),
        "app1.example.test:{http}",
        "/a",
        "https://app1.example.test/a",
    )
    .await;
}

#[tokio::test]
async fn a_host_without_a_port_gets_the_https_port() {
    redirects(
        None,
        "app1.example.test",
        "/a",
        "https://app1.example.test:{https}/a",
    )
    .await;
}

#[tokio::test]
async fn an_ipv6_address_keeps_its_brackets() {
    redirects(None, "[::1]:{http}", "/x", "https://[::1]:{https}/x").await;
}
