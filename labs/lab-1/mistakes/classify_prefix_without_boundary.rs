// Mistake: a plain starts_with on the prefix without its trailing slash, so
// "/static" also claims "/staticky" and "/statics/x".

use crate::{Route, StaticRules};

pub use miniproxy::files::resolve;

pub fn classify(rules: &StaticRules, path: &str) -> Route {
    let prefixed = rules
        .prefixes
        .iter()
        .any(|prefix| path.starts_with(prefix.trim_end_matches('/')));
    let last = path.rsplit('/').next().unwrap_or("");
    let extension = match last.rsplit_once('.') {
        Some((name, ext)) if !name.is_empty() => rules
            .extensions
            .iter()
            .any(|wanted| wanted.eq_ignore_ascii_case(ext)),
        _ => false,
    };
    if prefixed || extension {
        Route::Static
    } else {
        Route::Dynamic
    }
}
