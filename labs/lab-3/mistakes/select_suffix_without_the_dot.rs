// Mistake: strips "*." and checks that the host ends with the rest, so
// `evilexample.com` "ends with" `example.com` and reaches the wildcard site.

pub use miniproxy::sites::{normalize_host, rewrite_location};

use crate::SiteNames;

pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let Some(host) = host else { return default };
    if let Some(i) = sites.iter().position(|s| s.names.iter().any(|n| n == host)) {
        return Some(i);
    }
    let mut best: Option<(usize, usize)> = None;
    for (i, site) in sites.iter().enumerate() {
        for name in &site.names {
            let Some(domain) = name.strip_prefix("*.") else { continue };
            let matches = host != domain && host.ends_with(domain);
            if matches && best.is_none_or(|(_, len)| domain.len() > len) {
                best = Some((i, domain.len()));
            }
        }
    }
    best.map(|(i, _)| i).or(default)
}
