// Mistake: a name that matches nothing gets None, even with a default
// site: the client gets a 421 where the default site should answer.

pub use miniproxy::sites::{normalize_host, rewrite_location};

use crate::SiteNames;

pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    let Some(host) = host else {
        return sites.iter().position(|s| s.default);
    };
    if let Some(i) = sites.iter().position(|s| s.names.iter().any(|n| n == host)) {
        return Some(i);
    }
    let mut best: Option<(usize, usize)> = None;
    for (i, site) in sites.iter().enumerate() {
        for name in &site.names {
            let Some(suffix) = name.strip_prefix('*') else { continue };
            if host.len() > suffix.len()
                && host.ends_with(suffix)
                && best.is_none_or(|(_, len)| suffix.len() > len)
            {
                best = Some((i, suffix.len()));
            }
        }
    }
    best.map(|(i, _)| i)
}
