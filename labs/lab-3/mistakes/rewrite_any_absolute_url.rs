// Mistake: moves every absolute http:// URL to the public name, including
// a link the application meant for another site.

pub use miniproxy::sites::{normalize_host, select_site};

pub fn rewrite_location(value: &str, upstream: &str, public: &str) -> Option<String> {
    let _ = upstream;
    let rest = value.strip_prefix("http://")?;
    let path = rest.find('/').map_or("/", |i| &rest[i..]);
    Some(format!("http://{public}{path}"))
}
