// Mistake: cuts the port at the first ':', which for `[::1]:8080` is
// inside the address: the redirect names `https://[:8443/x`.

pub use miniproxy::https::select_certificate;

pub fn https_redirect(host: &str, target: &str, https_port: u16) -> String {
    let name = host.split(':').next().unwrap_or(host);
    if https_port == 443 {
        format!("https://{name}{target}")
    } else {
        format!("https://{name}:{https_port}{target}")
    }
}
