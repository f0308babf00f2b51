// Mistake: with no default site, the first certificate serves unknown
// names, so a name no site has still completes its handshake (and its
// requests reach a site that never agreed to answer for it).

pub use miniproxy::https::https_redirect;

use crate::SiteNames;

pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let default = sites
        .iter()
        .position(|s| s.default)
        .or(if sites.is_empty() { None } else { Some(0) });
    let Some(sni) = sni else { return default };
    let sni = sni.to_ascii_lowercase();
    if let Some(i) = sites.iter().position(|s| s.names.contains(&sni)) {
        return Some(i);
    }
    let wildcard = match sni.split_once('.') {
        Some((label, rest)) if !label.is_empty() => format!("*.{rest}"),
        _ => return default,
    };
    sites.iter().position(|s| s.names.contains(&wildcard)).or(default)
}
