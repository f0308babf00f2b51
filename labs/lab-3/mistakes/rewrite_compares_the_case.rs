// Mistake: `value.strip_prefix` compares with case: `http://LocalHost:3000`
// is the same server as `http://localhost:3000`, but is not rewritten.

pub use miniproxy::sites::{normalize_host, select_site};

pub fn rewrite_location(value: &str, upstream: &str, public: &str) -> Option<String> {
    let rest = value.strip_prefix(&format!("http://{upstream}"))?;
    if !(rest.is_empty() || rest.starts_with(['/', '?', '#'])) {
        return None;
    }
    let rest = if rest.starts_with('/') { rest.to_string() } else { format!("/{rest}") };
    Some(format!("http://{public}{rest}"))
}
