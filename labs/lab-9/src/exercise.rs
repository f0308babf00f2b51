//! Lab 9: HTTPS in front.
//!
//! This is the only file you edit. Run `cargo test -p lab-9` to grade it,
//! `cargo run -p workbook -- hint 9 select_certificate` (or
//! `https_redirect`) for a hint, and `cargo run -p workbook -- watch 9` to
//! re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use crate::SiteNames;

/// Picks the site whose certificate answers a TLS hello. (Chapter 8,
/// "Choosing the certificate")
///
/// `sites[i].names` are the names of the sites that have a certificate, in
/// lower case: exact (`app1.example.test`) or a wildcard
/// (`*.example.test`). `sites[i].default` marks the default site (at most
/// one). `sni` is the name the client sent in its hello, or `None` when it
/// sent none (`https://127.0.0.1/`). Return `Some(i)`, or `None` when no
/// certificate fits and there is no default (the handshake is refused).
///
/// | `sni` (sites: `*.example.test`, `app1.example.test`, `fallback.test` default) | result |
/// |---------------------------|-----------------------------------|
/// | `app1.example.test`       | the site of `app1.example.test`   |
/// | `www.example.test`        | the site of `*.example.test`      |
/// | `a.b.example.test`        | the default site                  |
/// | `example.test`            | the default site                  |
/// | `unknown.test`            | the default site                  |
/// | none                      | the default site                  |
/// | `unknown.test`, no default site | `None`                      |
pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    todo!("lab 9: exact name, then a one-label wildcard, then the default site")
}

/// The `Location` of the redirect from plain HTTP to HTTPS. (Chapter 8,
/// "Redirecting to HTTPS")
///
/// `host` is the request's `Host` exactly as sent, `target` its path and
/// query, `https_port` the port clients reach HTTPS on. Return the same
/// URL on `https://`.
///
/// | `host`                | `target`        | `https_port` | result                                  |
/// |-----------------------|-----------------|--------------|-----------------------------------------|
/// | `app1.example.test:8080` | `/a?b=1`     | `8443`       | `https://app1.example.test:8443/a?b=1`  |
/// | `app1.example.test`   | `/`             | `443`        | `https://app1.example.test/`            |
/// | `[::1]:8080`          | `/x`            | `8443`       | `https://[::1]:8443/x`                  |
pub fn https_redirect(host: &str, target: &str, https_port: u16) -> String {
    todo!("lab 9: the same URL on https://")
}
