// Mistake: takes the first site with any matching name, exact or
// wildcard, so `*.example.com` listed first shadows `app2.example.com`.

pub use miniproxy::sites::{normalize_host, rewrite_location};

use crate::SiteNames;

pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let Some(host) = host else { return default };
    let matches = |name: &String| match name.strip_prefix('*') {
        Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        None => name == host,
    };
    sites
        .iter()
        .position(|s| s.names.iter().any(matches))
        .or(default)
}
