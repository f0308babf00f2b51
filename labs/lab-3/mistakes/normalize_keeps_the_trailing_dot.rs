// Mistake: forgets that `app1.example.com.` (the fully qualified form)
// is the same name as `app1.example.com`.

pub use miniproxy::sites::{rewrite_location, select_site};

pub fn normalize_host(host: &str) -> Option<String> {
    let name = if host.starts_with('[') {
        &host[..=host.find(']')?]
    } else {
        host.split(':').next().unwrap_or("")
    };
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}
