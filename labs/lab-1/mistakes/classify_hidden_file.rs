// Mistake: takes ".css" as a file with the extension "css". A name that
// starts with a dot is a hidden file with no extension at all.

use crate::{Route, StaticRules};

pub use miniproxy::files::resolve;

pub fn classify(rules: &StaticRules, path: &str) -> Route {
    let prefixed = rules.prefixes.iter().any(|prefix| {
        let prefix = prefix.trim_end_matches('/');
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let last = path.rsplit('/').next().unwrap_or("");
    let extension = match last.rsplit_once('.') {
        Some((_, ext)) => rules
            .extensions
            .iter()
            .any(|wanted| wanted.eq_ignore_ascii_case(ext)),
        None => false,
    };
    if prefixed || extension {
        Route::Static
    } else {
        Route::Dynamic
    }
}
