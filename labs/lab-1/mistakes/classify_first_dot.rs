// Mistake: takes the extension after the *first* dot of the last segment,
// so "site.min.css" has the extension "min.css".

use crate::{Route, StaticRules};

pub use miniproxy::files::resolve;

pub fn classify(rules: &StaticRules, path: &str) -> Route {
    let prefixed = rules.prefixes.iter().any(|prefix| {
        let prefix = prefix.trim_end_matches('/');
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let last = path.rsplit('/').next().unwrap_or("");
    let extension = match last.split_once('.') {
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
