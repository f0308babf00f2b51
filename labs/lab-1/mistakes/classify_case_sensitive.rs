// Mistake: compares extensions with ==, so "Logo.PNG" is not a "png".

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
        Some((name, ext)) if !name.is_empty() => {
            rules.extensions.iter().any(|wanted| wanted == ext)
        }
        _ => false,
    };
    if prefixed || extension {
        Route::Static
    } else {
        Route::Dynamic
    }
}
