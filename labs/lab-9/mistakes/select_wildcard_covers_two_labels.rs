// Mistake: lab 3's site rule ("ends with .example.test") reused for
// certificates, so `a.b.example.test` gets the wildcard certificate,
// which covers exactly one label and fails every browser's check there.

pub use miniproxy::https::https_redirect;

use crate::SiteNames;

pub fn select_certificate(sites: &[SiteNames], sni: Option<&str>) -> Option<usize> {
    let default = sites.iter().position(|s| s.default);
    let Some(sni) = sni else { return default };
    let sni = sni.to_ascii_lowercase();
    if let Some(i) = sites.iter().position(|s| s.names.contains(&sni)) {
        return Some(i);
    }
    for (i, site) in sites.iter().enumerate() {
        for name in &site.names {
            if let Some(suffix) = name.strip_prefix('*') {
                if sni.len() > suffix.len() && sni.ends_with(suffix) {
                    return Some(i);
                }
            }
        }
    }
    default
}
