//! Static or dynamic? The split a web server in front makes for every request.
//!
//! A web server answers static requests itself, from disk, and passes the
//! dynamic ones on to the application server. The rule set is deliberately
//! small, the same two kinds of rule an nginx config uses most:
//! `location /static/ { ... }` (a path prefix) and
//! `location ~* \.(css|js|png)$ { ... }` (a file extension).

use serde::Deserialize;

/// Which side answers a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// Served from the web root on disk by miniproxy itself.
    Static,
    /// Forwarded to the application server (the upstream).
    Dynamic,
}

/// The rules that make a request static. Anything they do not match is dynamic.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StaticRules {
    /// Path prefixes such as `/static/` or `/assets`. A prefix matches whole
    /// path segments only: `/assets` matches `/assets` and `/assets/a.png`,
    /// never `/assets-admin`.
    #[serde(default)]
    pub prefixes: Vec<String>,
    /// File extensions without the dot, such as `css` or `png`, compared
    /// without regard to case against the last path segment.
    #[serde(default)]
    pub extensions: Vec<String>,
}

// ANCHOR: classify
/// Decides whether `path` (the URL path, without the query string) is static.
pub fn classify(rules: &StaticRules, path: &str) -> Route {
    let under_a_prefix = rules.prefixes.iter().any(|prefix| {
        // Compare on segment boundaries: "/static" must not claim "/statics".
        let prefix = prefix.trim_end_matches('/');
        match path.strip_prefix(prefix) {
            Some(rest) => rest.is_empty() || rest.starts_with('/'),
            None => false,
        }
    });

    // Only the last segment has an extension: "/v1.2/users" has none.
    let last_segment = path.rsplit('/').next().unwrap_or("");
    let extension = last_segment
        .rsplit_once('.')
        .map(|(name, ext)| (name, ext.to_ascii_lowercase()));
    let has_static_extension = match extension {
        // ".env" is a hidden file with no extension, not the extension "env".
        Some((name, ext)) if !name.is_empty() => rules
            .extensions
            .iter()
            .any(|wanted| wanted.eq_ignore_ascii_case(&ext)),
        _ => false,
    };

    if under_a_prefix || has_static_extension {
        Route::Static
    } else {
        Route::Dynamic
    }
}
// ANCHOR_END: classify

/// Whether `path` is `prefix` itself or under it, on a segment boundary
/// (`/api` and `/api/` both take `/api` and `/api/users`, never `/apis`).
/// Used for routes to their own upstream pool (see `Config::routes`).
pub fn under_prefix(path: &str, prefix: &str) -> bool {
    let prefix = prefix.trim_end_matches('/');
    path.strip_prefix(prefix)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> StaticRules {
        StaticRules {
            prefixes: vec!["/static/".into(), "/assets".into()],
            extensions: vec!["css".into(), "png".into()],
        }
    }

    #[test]
    fn prefixes_match_whole_segments() {
        assert_eq!(classify(&rules(), "/static/app.js"), Route::Static);
        assert_eq!(classify(&rules(), "/static"), Route::Static);
        assert_eq!(classify(&rules(), "/assets/x"), Route::Static);
        assert_eq!(classify(&rules(), "/assets-admin/x"), Route::Dynamic);
        assert_eq!(classify(&rules(), "/staticky"), Route::Dynamic);
    }

    #[test]
    fn extensions_are_case_insensitive_and_only_on_the_last_segment() {
        assert_eq!(classify(&rules(), "/img/Logo.PNG"), Route::Static);
        assert_eq!(classify(&rules(), "/theme.css/edit"), Route::Dynamic);
        assert_eq!(classify(&rules(), "/.css"), Route::Dynamic);
        assert_eq!(classify(&rules(), "/api/users"), Route::Dynamic);
        assert_eq!(classify(&rules(), "/"), Route::Dynamic);
    }

    #[test]
    fn under_prefix_respects_segments() {
        assert!(under_prefix("/api", "/api/"));
        assert!(under_prefix("/api/users", "/api"));
        assert!(!under_prefix("/apis", "/api/"));
        assert!(under_prefix("/anything", "/"));
    }
}
