// Mistake: a plain prefix test: `http://127.0.0.1:3000` is a prefix of
// `http://127.0.0.1:30001/login`, another port and another server.

pub use miniproxy::sites::{normalize_host, select_site};

pub fn rewrite_location(value: &str, upstream: &str, public: &str) -> Option<String> {
    let prefix = format!("http://{upstream}");
    let head = value.get(..prefix.len())?;
    if !head.eq_ignore_ascii_case(&prefix) {
        return None;
    }
    let rest = &value[prefix.len()..];
    let rest = if rest.starts_with('/') { rest.to_string() } else { format!("/{rest}") };
    Some(format!("http://{public}{rest}"))
}
