// Mistake: without a name there is nothing to compare, so no certificate;
// a client that sends no SNI (an address, an old client) is refused
// instead of getting the default site's certificate.

pub use miniproxy::https::https_redirect;

use crate::SiteNames;

pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let sni = sni?.to_ascii_lowercase();
    if let Some(i) = sites.iter().position(|s| s.names.contains(&sni)) {
        return Some(i);
    }
    let wildcard = match sni.split_once('.') {
        Some((label, rest)) if !label.is_empty() => format!("*.{rest}"),
        _ => return default,
    };
    sites.iter().position(|s| s.names.contains(&wildcard)).or(default)
}
