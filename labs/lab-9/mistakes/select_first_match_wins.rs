// Mistake: one pass over the sites, first match of either kind wins, so
// the order of the config decides: a wildcard listed first shadows an
// exact name after it.

pub use miniproxy::https::https_redirect;

use crate::SiteNames;

pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let Some(sni) = sni else { return default };
    let sni = sni.to_ascii_lowercase();
    let wildcard = sni.split_once('.').map(|(_, rest)| format!("*.{rest}"));
    sites
        .iter()
        .position(|s| {
            s.names
                .iter()
                .any(|n| *n == sni || Some(n) == wildcard.as_ref())
        })
        .or(default)
}
