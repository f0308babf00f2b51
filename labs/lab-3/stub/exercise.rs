//! Lab 3: virtual hosts, one port for many sites.
//!
//! This is the only file you edit. Run `cargo test -p lab-3` to grade it,
//! `cargo run -p workbook -- hint 3 select_site` (or `normalize_host`,
//! `rewrite_location`) for a hint, and `cargo run -p workbook -- watch 3` to
//! re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use crate::SiteNames;

/// Turns a `Host` header value into a name to compare with the sites'
/// names. (Chapter 3, "What the Host header says")
///
/// `host` is the request's `Host` exactly as the client sent it (for an
/// absolute-form request, `GET http://name/…`, the proxy has already made
/// it the name in the URL). Return it in lower case, without its port and
/// without a trailing dot; `None` when no name is left.
///
/// | `host`                    | result                   |
/// |---------------------------|--------------------------|
/// | `app1.example.com`        | `Some("app1.example.com")` |
/// | `APP1.Example.COM`        | `Some("app1.example.com")` |
/// | `app1.example.com:8080`   | `Some("app1.example.com")` |
/// | `app1.example.com.`       | `Some("app1.example.com")` |
/// | `[::1]:8080`              | `Some("[::1]")` (an IPv6 address keeps its colons) |
/// | `""` or `:8080`           | `None`                   |
pub fn normalize_host(host: &str) -> Option<String> {
    todo!("lab 3: lower case, no port, no trailing dot")
}

/// Picks the site that answers for `host`. (Chapter 3, "Choosing the site")
///
/// `sites[i].names` are site `i`'s names, in lower case: exact
/// (`app1.example.com`) or a leading wildcard (`*.example.com`).
/// `sites[i].default` marks the default site (at most one). `host` is
/// already normalized, or `None` when the request had no usable Host.
/// Return `Some(i)`, or `None` when nothing matches and there is no default
/// (the proxy then answers `421 Misdirected Request`).
/// - An exact name, in any site, wins over every wildcard.
/// - `*.example.com` matches one or more labels in front of `.example.com`:
///   `www.example.com`, `a.b.example.com`; never `example.com` itself, and
///   never `evilexample.com`.
/// - Among matching wildcards, the longest one wins (`*.api.example.com`
///   over `*.example.com`), whatever the order of the sites.
/// - No match, or no host: the default site, if there is one.
pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    todo!("lab 3: exact name, then the longest wildcard, then the default site")
}

/// ProxyPassReverse for one header value (`Location`, `Content-Location`
/// or `URI`) from the application. (Chapter 3, "ProxyPassReverse")
///
/// `upstream` is the application's `host:port` as the proxy reaches it
/// (`localhost:3000`), `public` the `Host` the client asked for
/// (`app1.example.com`, maybe with a port). When `value` is a URL on
/// `http://{upstream}`, return the same URL on `http://{public}`; otherwise
/// `None` (the proxy leaves the value as it is).
/// - The scheme and the host compare without regard to case.
/// - The upstream's authority must end there: what follows is the end of
///   the value, `/`, `?` or `#` (`http://localhost:30001/` is another port).
/// - Nothing after the authority becomes `/`.
pub fn rewrite_location(value: &str, upstream: &str, public: &str) -> Option<String> {
    todo!("lab 3: a URL on the upstream, moved to the public name")
}
