// Mistake: swaps the scheme and keeps Host as it came, port and all, so
// `http://site:8080/` goes to `https://site:8080/`: TLS spoken to the
// plain HTTP port, which answers with an error.

pub use miniproxy::https::select_certificate;

pub fn https_redirect(host: &str, target: &str, https_port: u16) -> String {
    if host.contains(':') {
        format!("https://{host}{target}")
    } else if https_port == 443 {
        format!("https://{host}{target}")
    } else {
        format!("https://{host}:{https_port}{target}")
    }
}
