// Mistake: lower case and the trailing dot are right, but the port stays
// on the name: `app1.example.com:8080` matches no site.

pub use miniproxy::sites::{rewrite_location, select_site};

pub fn normalize_host(host: &str) -> Option<String> {
    let name = host.trim().to_ascii_lowercase();
    let name = name.strip_suffix('.').unwrap_or(&name).to_string();
    (!name.is_empty()).then_some(name)
}
