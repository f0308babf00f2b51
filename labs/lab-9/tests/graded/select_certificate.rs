//! Graded: `select_certificate`, through the real proxy and the real curl.
//! The sites, in order: `wild` (*.example.test), `app1`
//! (app1.example.test), `app2` (app2.example.test) and `fallback`
//! (fallback.test, the default site).

use crate::support::{fail, Bench, Yours};

const SECTION: &str = "Choosing the certificate";

/// Each `(name, certificate)`: a hello naming `name` gets the certificate
/// whose common name is `certificate`.
async fn each_gets(cases: &[(&str, &str)]) {
    let Some(bench) = Bench::start(Yours::SelectCertificate, true, None).await else {
        return;
    };
    for (name, certificate) in cases {
        let seen = bench.handshake(name).await;
        if seen.certificate().as_deref() != Some(certificate) {
            fail(
                &format!("a TLS hello naming {name} (curl https://{name}/)"),
                &format!("the certificate of {certificate}"),
                &seen.describe_certificate(),
                SECTION,
            );
        }
    }
    bench.stop().await;
}

#[tokio::test]
async fn an_exact_name_gets_its_certificate() {
    each_gets(&[
        ("app1.example.test", "app1.example.test"),
        ("app2.example.test", "app2.example.test"),
        ("fallback.test", "fallback.test"),
    ])
    .await;
}

#[tokio::test]
async fn an_exact_name_beats_a_wildcard() {
    // `wild` (*.example.test) comes before `app1` in the config.
    each_gets(&[("app1.example.test", "app1.example.test")]).await;
}

#[tokio::test]
async fn a_wildcard_covers_one_label() {
    each_gets(&[("www.example.test", "*.example.test")]).await;
}

#[tokio::test]
async fn a_wildcard_never_covers_two_labels() {
    each_gets(&[("a.b.example.test", "fallback.test")]).await;
}

#[tokio::test]
async fn a_wildcard_never_covers_the_bare_domain() {
    each_gets(&[("example.test", "fallback.test")]).await;
}

#[tokio::test]
async fn a_wildcard_needs_the_dot_in_front() {
    each_gets(&[("evilexample.test", "fallback.test")]).await;
}

#[tokio::test]
async fn an_unknown_name_gets_the_default_certificate() {
    each_gets(&[("unknown.test", "fallback.test")]).await;
}

#[tokio::test]
async fn no_name_gets_the_default_certificate() {
    let Some(bench) = Bench::start(Yours::SelectCertificate, true, None).await else {
        return;
    };
    // curl sends no SNI for an address: your function gets `None`.
    let seen = bench.handshake_without_a_name().await;
    if seen.certificate().as_deref() != Some("fallback.test") {
        fail(
            "a TLS hello without a name (curl https://127.0.0.1/)",
            "the certificate of fallback.test (the default site's)",
            &seen.describe_certificate(),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn without_a_default_an_unknown_name_is_refused() {
    let Some(bench) = Bench::start(Yours::SelectCertificate, false, None).await else {
        return;
    };
    // The known names still get their certificates...
    let seen = bench.handshake("app1.example.test").await;
    if seen.certificate().as_deref() != Some("app1.example.test") {
        fail(
            "a TLS hello naming app1.example.test (no site is the default)",
            "the certificate of app1.example.test",
            &seen.describe_certificate(),
            SECTION,
        );
    }
    // ...and an unknown one gets none: no site may answer for it.
    let seen = bench.handshake("unknown.test").await;
    if let Some(cn) = seen.certificate() {
        fail(
            "a TLS hello naming unknown.test (no site is the default)",
            "no certificate: the handshake is refused",
            &format!("the certificate of {cn}"),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn each_site_is_trusted_through_the_local_ca() {
    let Some(bench) = Bench::start(Yours::SelectCertificate, true, None).await else {
        return;
    };
    let port = bench.https_addr().port();
    for (name, site) in [("app1.example.test", "app1"), ("www.example.test", "wild")] {
        // No --insecure: curl checks the certificate as a browser does.
        let seen = bench
            .curl(vec![
                "--cacert".into(),
                bench.ca().display().to_string(),
                "--resolve".into(),
                format!("{name}:{port}:127.0.0.1"),
                format!("https://{name}:{port}/"),
            ])
            .await;
        let expected = format!("site {site}");
        if !seen.ok || seen.stdout.trim() != expected {
            let got = if seen.ok {
                format!("the page {:?}", seen.stdout.trim())
            } else {
                seen.error()
            };
            fail(
                &format!("curl --cacert ca.pem https://{name}:{port}/"),
                &format!("a trusted certificate, then the page {expected:?}"),
                &got,
                SECTION,
            );
        }
    }
    bench.stop().await;
}
