// Mistake: the default certificate only for hellos without a name; an
// unknown name is refused, so a visitor who typed a name this server does
// not know sees a TLS error instead of the default site's answer.

pub use miniproxy::https::https_redirect;

use crate::SiteNames;

pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let Some(sni) = sni else {
        return sites.iter().position(|s| s.default);
    };
    let sni = sni.to_ascii_lowercase();
    if let Some(i) = sites.iter().position(|s| s.names.contains(&sni)) {
        return Some(i);
    }
    let (_, rest) = sni.split_once('.')?;
    sites.iter().position(|s| s.names.contains(&format!("*.{rest}")))
}
