// Mistake: looks for ".css" anywhere in the path instead of in the last
// segment's extension, so "/theme.css/edit" (a page about a theme) and
// "/photo.png.bak" count as static files.

use crate::{Route, StaticRules};

pub use miniproxy::files::resolve;

pub fn classify(rules: &StaticRules, path: &str) -> Route {
    let prefixed = rules.prefixes.iter().any(|prefix| {
        let prefix = prefix.trim_end_matches('/');
        path.strip_prefix(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    });
    let extension = rules
        .extensions
        .iter()
        .any(|wanted| path.to_ascii_lowercase().contains(&format!(".{wanted}")));
    if prefixed || extension {
        Route::Static
    } else {
        Route::Dynamic
    }
}
