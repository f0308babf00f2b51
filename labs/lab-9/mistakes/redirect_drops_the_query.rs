// Mistake: builds the redirect from the path alone, so
// `/search?q=tls` lands on `/search`: the visitor's search is lost.

pub use miniproxy::https::select_certificate;

pub fn https_redirect(host: &str, target: &str, https_port: u16) -> String {
    let name = match host.find(']') {
        Some(end) if host.starts_with('[') => &host[..=end],
        _ => host.split(':').next().unwrap_or(host),
    };
    let path = target.split('?').next().unwrap_or("/");
    if https_port == 443 {
        format!("https://{name}{path}")
    } else {
        format!("https://{name}:{https_port}{path}")
    }
}
