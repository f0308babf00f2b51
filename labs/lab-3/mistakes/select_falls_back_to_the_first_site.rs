// Mistake: without a default site, falls back to the first one (what
// nginx and Apache do): an unknown name reaches an application nobody
// chose for it, instead of a 421.

pub use miniproxy::sites::{normalize_host, rewrite_location};

use crate::SiteNames;

pub fn select_site(sites: &[SiteNames], host: Option<&str>) -> Option<usize> {
    miniproxy::sites::select_site(sites, host).or(if sites.is_empty() { None } else { Some(0) })
}
