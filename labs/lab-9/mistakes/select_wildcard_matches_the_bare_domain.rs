// Mistake: treats `*.example.test` as "example.test and one label under
// it", so the bare domain gets the wildcard certificate, which browsers
// refuse for it, instead of the default one.

pub use miniproxy::https::https_redirect;

use crate::SiteNames;

pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let sni = sni?.to_ascii_lowercase();
    if let Some(i) = sites.iter().position(|s| s.names.contains(&sni)) {
        return Some(i);
    }
    let bare = format!("*.{sni}");
    let parent = sni.split_once('.').map(|(_, rest)| format!("*.{rest}"));
    sites
        .iter()
        .position(|s| s.names.contains(&bare) || parent.as_ref().is_some_and(|p| s.names.contains(p)))
        .or(default)
}
