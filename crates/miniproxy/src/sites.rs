//! Virtual hosts: one address, many sites, told apart by `Host`.
//!
//! A browser that asks for `http://app1.example.com/` connects to whatever
//! address DNS (or `/etc/hosts`, or `curl --resolve`) gave for that name,
//! and says which name it meant in the `Host` header. Every site on the
//! same IP and port receives the same bytes; only `Host` tells them apart.
//! nginx calls this `server_name`, Apache `ServerName`/`ServerAlias`.
//!
//! Three small decisions, each a hook a lab can replace (lab 3):
//!
//! * [`normalize_host`]: the `Host` value as a name to compare: lower case,
//!   no port, no trailing dot.
//! * [`select_site`]: which site's names match it (exact names first, then
//!   the most specific wildcard, then the default site).
//! * [`rewrite_location`]: on the way back, a redirect that names the
//!   upstream (`http://localhost:3000/login`) is rewritten to the name the
//!   client used (`http://app1.example.com/login`): Apache's
//!   `ProxyPassReverse`, nginx's `proxy_redirect`.

/// The names one site answers to, as written in the config (in lower case)
/// and whether it is the default site. `select_site` gets one per site, in
/// config order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteNames {
    /// `app1.example.com` (exact) or `*.example.com` (a leading wildcard).
    pub names: Vec<String>,
    /// The site for requests no name matches, and for those without a Host.
    pub default: bool,
}

// ANCHOR: normalize_host
/// `Host` as a name to compare: `App1.Example.COM.:8080` → `app1.example.com`.
///
/// Names are case-insensitive (RFC 4343), the port is the listener's
/// business and not the site's, and `example.com.` (the fully qualified
/// form, with the root's empty label) is the same name as `example.com`.
/// An IPv6 literal keeps its brackets and colons: `[::1]:8080` → `[::1]`.
/// Nothing left (`""`, `:8080`): `None`, which means "no usable Host".
pub fn normalize_host(host: &str) -> Option<String> {
    let host = host.trim();
    let name = if host.starts_with('[') {
        // `[v6 address]` or `[v6 address]:port`: the port follows the `]`.
        match host.find(']') {
            Some(end) => &host[..=end],
            None => return None,
        }
    } else {
        // A name or IPv4 address has no colon of its own.
        host.split(':').next().unwrap_or("")
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    if name.is_empty() {
        return None;
    }
    Some(name.to_ascii_lowercase())
}
// ANCHOR_END: normalize_host

// ANCHOR: select_site
/// Which site answers for `host` (already normalized; `None` when the
/// request had no usable Host): an index into `sites`, or `None` when no
/// name matches and there is no default site.
///
/// The order is nginx's: an exact name anywhere beats every wildcard; among
/// wildcards the longest suffix wins (`*.api.example.com` before
/// `*.example.com`); then the default site. `*.example.com` matches one or
/// more labels in front of `.example.com` (`a.example.com`,
/// `a.b.example.com`), never `example.com` itself, and never
/// `evilexample.com`: the dot is part of the match.
pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|site| site.default);
    let Some(host) = host else {
        return default;
    };
    let exact = sites
        .iter()
        .position(|site| site.names.iter().any(|name| name == host));
    if exact.is_some() {
        return exact;
    }
    let mut best: Option<(usize, usize)> = None; // (site, suffix length)
    for (index, site) in sites.iter().enumerate() {
        for name in &site.names {
            // "*.example.com" → ".example.com": the host must end with it
            // and have at least one character (a label) before it.
            let Some(suffix) = name.strip_prefix('*') else {
                continue;
            };
            let matches = host.len() > suffix.len() && host.ends_with(suffix);
            if matches && best.is_none_or(|(_, longest)| suffix.len() > longest) {
                best = Some((index, suffix.len()));
            }
        }
    }
    best.map(|(index, _)| index).or(default)
}
// ANCHOR_END: select_site

// ANCHOR: rewrite_location
/// ProxyPassReverse for one header value (`Location`, `Content-Location`,
/// `URI`): when `value` points at the upstream `http://{upstream}` (scheme
/// and host in any case), the same path on `http://{public}`, the
/// `host[:port]` the client asked for; otherwise `None`, leave it alone.
///
/// The upstream part must end where the authority ends: followed by the end
/// of the value, `/`, `?` or `#`. `http://127.0.0.1:30001/` is not on
/// `127.0.0.1:3000`. Nothing after it becomes `/`.
pub fn rewrite_location(value: &str, upstream: &str, public: &str) -> Option<String> {
    let prefix = format!("http://{upstream}");
    let head = value.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(&prefix) {
        return None;
    }
    let rest = &value[prefix.len()..];
    if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
        return None;
    }
    let rest = if rest.starts_with('/') {
        rest
    } else {
        &format!("/{rest}")
    };
    Some(format!("http://{public}{rest}"))
}
// ANCHOR_END: rewrite_location

#[cfg(test)]
mod tests {
    use super::*;

    fn sites() -> Vec<SiteNames> {
        let site = |names: &[&str], default| SiteNames {
            names: names.iter().map(|n| n.to_string()).collect(),
            default,
        };
        vec![
            site(&["*.example.com"], false),
            site(&["app1.example.com"], false),
            site(&["*.api.example.com"], false),
            site(&["fallback.test"], true),
        ]
    }

    #[test]
    fn hosts_are_normalized() {
        let cases = [
            ("App1.Example.COM", Some("app1.example.com")),
            ("app1.example.com:8080", Some("app1.example.com")),
            ("app1.example.com.", Some("app1.example.com")),
            ("APP1.example.com.:80", Some("app1.example.com")),
            ("[::1]:8080", Some("[::1]")),
            ("127.0.0.1:80", Some("127.0.0.1")),
            ("", None),
            (":8080", None),
            ("[::1", None),
        ];
        for (host, want) in cases {
            assert_eq!(normalize_host(host).as_deref(), want, "{host:?}");
        }
    }

    #[test]
    fn exact_then_longest_wildcard_then_default() {
        let sites = sites();
        let cases = [
            (Some("app1.example.com"), Some(1)),
            (Some("x.example.com"), Some(0)),
            (Some("a.b.example.com"), Some(0)),
            (Some("v1.api.example.com"), Some(2)),
            (Some("example.com"), Some(3)),
            (Some("evilexample.com"), Some(3)),
            (None, Some(3)),
        ];
        for (host, want) in cases {
            assert_eq!(select_site(&sites, host), want, "{host:?}");
        }
        assert_eq!(select_site(&sites[..3], Some("example.com")), None);
        assert_eq!(select_site(&sites[..3], None), None);
    }

    #[test]
    fn locations_on_the_upstream_get_the_public_name() {
        let up = "localhost:3000";
        let public = "app1.example.com";
        let cases = [
            (
                "http://localhost:3000/login",
                Some("http://app1.example.com/login"),
            ),
            ("http://localhost:3000", Some("http://app1.example.com/")),
            (
                "http://localhost:3000?x=1",
                Some("http://app1.example.com/?x=1"),
            ),
            ("HTTP://LocalHost:3000/a", Some("http://app1.example.com/a")),
            ("http://localhost:30001/x", None),
            ("http://localhost:3000.evil/x", None),
            ("https://localhost:3000/x", None),
            ("http://elsewhere.example/x", None),
            ("/login", None),
            ("http://local", None),
        ];
        for (value, want) in cases {
            assert_eq!(
                rewrite_location(value, up, public).as_deref(),
                want,
                "{value:?}"
            );
        }
    }
}
