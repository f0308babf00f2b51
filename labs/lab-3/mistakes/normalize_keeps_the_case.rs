// Mistake: compares names as written: `APP1.Example.COM` is not
// `app1.example.com`, though DNS names never depend on case.

pub use miniproxy::sites::{rewrite_location, select_site};

pub fn normalize_host(host: &str) -> Option<String> {
    let name = if host.starts_with('[') {
        &host[..=host.find(']')?]
    } else {
        host.split(':').next().unwrap_or("")
    };
    let name = name.strip_suffix('.').unwrap_or(name);
    (!name.is_empty()).then(|| name.to_string())
}
