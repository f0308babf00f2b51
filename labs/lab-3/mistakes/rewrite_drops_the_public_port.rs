// Mistake: uses the public name without its port: a client that came in
// on :8080 is sent to port 80.

pub use miniproxy::sites::{normalize_host, select_site};

pub fn rewrite_location(value: &str, upstream: &str, public: &str) -> Option<String> {
    let name = public.split(':').next().unwrap_or(public);
    miniproxy::sites::rewrite_location(value, upstream, name)
}
