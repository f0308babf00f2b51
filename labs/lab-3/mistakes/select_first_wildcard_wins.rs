// Mistake: exact names first (right), but then the first matching
// wildcard in config order, not the longest: `*.example.com` takes
// `v1.api.example.com` from `*.api.example.com`.

pub use miniproxy::sites::{normalize_host, rewrite_location};

use crate::SiteNames;

pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let Some(host) = host else { return default };
    if let Some(i) = sites.iter().position(|s| s.names.iter().any(|n| n == host)) {
        return Some(i);
    }
    sites
        .iter()
        .position(|s| {
            s.names.iter().any(|name| {
                name.strip_prefix('*')
                    .is_some_and(|suffix| host.len() > suffix.len() && host.ends_with(suffix))
            })
        })
        .or(default)
}
