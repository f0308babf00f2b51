// Mistake: always writes the port, `https://site:443/a`: it works, but it
// is not the URL the site is known by (443 is https's own port), and
// bookmarks, caches and HSTS then see two spellings of one site.

pub use miniproxy::https::select_certificate;

pub fn https_redirect(host: &str, target: &str, https_port: u16) -> String {
    let name = match host.find(']') {
        Some(end) if host.starts_with('[') => &host[..=end],
        _ => host.split(':').next().unwrap_or(host),
    };
    format!("https://{name}:{https_port}{target}")
}
