//! HTTPS in front (chapter 8): the two decisions that do not need a TLS
//! library, kept apart from it so they are plain functions a lab can
//! replace (lab 9) and every build can compile.
//!
//! * [`select_certificate`]: which site's certificate a TLS handshake gets,
//!   from the name the client sent in its hello (SNI, Server Name
//!   Indication). It runs *before* any HTTP: there is no `Host` header yet,
//!   only that name, so it is chosen the way lab 3 chose a site, with the
//!   certificate's own wildcard rule (one label).
//! * [`https_redirect`]: where a plain `http://` request is sent instead,
//!   the same URL on `https://`.
//!
//! The TLS machinery that calls the first one (rustls, certificates from
//! disk, HTTP/2) lives in `crate::tls`, behind the `tls` cargo feature.

use crate::sites::SiteNames;

/// Put on each request that came over TLS by the HTTPS listener, so the
/// rest of the server (redirects, HSTS, `X-Forwarded-Proto`) knows; plain
/// HTTP requests never have it.
#[derive(Debug, Clone, Copy)]
pub struct OverTls;

// ANCHOR: select_certificate
/// Which site's certificate answers a TLS hello naming `sni` (`None`: the
/// client sent no name, as with `https://127.0.0.1/`): an index into
/// `sites`, or `None` when no certificate fits and there is no default,
/// and the handshake is refused.
///
/// `sites[i].names` are the names of the sites that have a certificate, in
/// lower case; `sni` may come in any case (names are case-insensitive).
/// An exact name wins over a wildcard. `*.example.test` stands for exactly
/// one label in front of `.example.test` (RFC 6125, how browsers check a
/// certificate): `www.example.test`, never `example.test` itself and never
/// `a.b.example.test`. An unknown name, or none, gets the default site's
/// certificate: a client must get *some* certificate to even show an error.
pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|site| site.default);
    let Some(sni) = sni else {
        return default;
    };
    let sni = sni.to_ascii_lowercase();
    let exact = sites.iter().position(|site| site.names.contains(&sni));
    if exact.is_some() {
        return exact;
    }
    // "www.example.test" → label "www", rest "example.test": a wildcard
    // "*.example.test" covers it. The first label must not be empty.
    let wildcard = match sni.split_once('.') {
        Some((label, rest)) if !label.is_empty() && !rest.is_empty() => format!("*.{rest}"),
        _ => return default,
    };
    sites
        .iter()
        .position(|site| site.names.contains(&wildcard))
        .or(default)
}
// ANCHOR_END: select_certificate

// ANCHOR: https_redirect
/// The `Location` of the redirect from plain HTTP to HTTPS.
///
/// `host` is the request's `Host` as sent (`app1.localhost:8080`, maybe
/// `[::1]:8080`), `target` its path and query (`/a?b=1`), `https_port` the
/// port HTTPS listens on. The answer is the same URL on `https://`: the
/// same name, the HTTPS port instead of the HTTP one (none for 443, the
/// scheme's own), the path and query kept as they were, so a link or a
/// bookmark still leads to the same page.
pub fn https_redirect(host: &str, target: &str, https_port: u16) -> String {
    // The name without its port; an IPv6 address ends at its ']'.
    let name = match host.find(']') {
        Some(end) if host.starts_with('[') => &host[..=end],
        _ => host.split(':').next().unwrap_or(host),
    };
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let target = if target.starts_with('/') { target } else { "/" };
    format!("https://{name}{port}{target}")
}
// ANCHOR_END: https_redirect

#[cfg(test)]
mod tests {
    use super::*;

    fn sites() -> Vec<SiteNames> {
        let site = |names: &[&str], default| SiteNames {
            names: names.iter().map(|n| n.to_string()).collect(),
            default,
        };
        vec![
            site(&["*.example.test"], false),
            site(&["app1.example.test"], false),
            site(&["fallback.test"], true),
        ]
    }

    #[test]
    fn certificates_by_name() {
        let sites = sites();
        let cases = [
            (Some("app1.example.test"), Some(1)),
            (Some("APP1.Example.TEST"), Some(1)),
            (Some("www.example.test"), Some(0)),
            (Some("a.b.example.test"), Some(2)),
            (Some("example.test"), Some(2)),
            (Some("unknown.test"), Some(2)),
            (None, Some(2)),
        ];
        for (sni, want) in cases {
            assert_eq!(select_certificate(&sites, sni), want, "{sni:?}");
        }
        assert_eq!(select_certificate(&sites[..2], None), None);
        assert_eq!(select_certificate(&sites[..2], Some("x.test")), None);
    }

    #[test]
    fn redirects_keep_the_name_path_and_query() {
        let cases = [
            (
                "app1.localhost:8080",
                "/a?b=1",
                8443,
                "https://app1.localhost:8443/a?b=1",
            ),
            ("app1.localhost", "/", 443, "https://app1.localhost/"),
            ("[::1]:8080", "/x", 8443, "https://[::1]:8443/x"),
            ("a.test:80", "", 443, "https://a.test/"),
        ];
        for (host, target, port, want) in cases {
            assert_eq!(https_redirect(host, target, port), want, "{host} {target}");
        }
    }
}
