//! Lab 1: the two decisions of the web server in front.
//!
//! This is the only file you edit. Run `cargo test -p lab-1` to grade it,
//! `cargo run -p workbook -- hint 1` for a hint, and
//! `cargo run -p workbook -- watch 1` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use std::path::PathBuf;

use crate::{Refused, Route, StaticRules};

/// Decides whether a request is static (served from disk) or dynamic
/// (forwarded to the application server). (Chapter 1, "Static or dynamic?")
///
/// `path` is the URL path without the query string, e.g. `/img/logo.png`.
/// `rules` holds two lists, both `Vec<String>`:
/// - `rules.prefixes`, path prefixes such as `"/static/"`;
/// - `rules.extensions`, extensions without the dot, such as `"css"`.
///
/// Return `Route::Static` when either rule matches, otherwise
/// `Route::Dynamic`:
/// - Prefix rule: `path` is under one of the prefixes on a segment
///   boundary. A trailing `/` on the prefix does not matter: `/static/` and
///   `/static` both match `/static` and `/static/app.js`, never `/statics`.
/// - Extension rule: the *last* path segment has an extension listed in
///   `rules.extensions`, compared ignoring case. The extension is what
///   follows the segment's *last* dot, and a name must come before that
///   dot: `/img/Logo.PNG` has `PNG`; `/v1.2/users` has none; `/theme.css/edit`
///   has none either; and a hidden file such as `/.css` is a name with no
///   extension, so it has none.
///
/// The chapter's table lists every case the graded tests send.
pub fn classify(rules: &StaticRules, path: &str) -> Route {
    todo!("lab 1: match `path` against the prefixes and extensions in `rules`")
}

/// Turns the path of a URL into a file path *relative to the web root*,
/// or refuses it. (Chapter 1, "Which file does a URL mean?")
///
/// Rules:
/// - Percent-decode first (`%20` is a space, `%2e` is a dot), then check:
///   an attacker spells `..` as `%2e%2e` exactly because naive checks run on
///   the raw text. `percent_encoding::percent_decode_str` does the decoding.
/// - Decoded bytes that are not UTF-8 → `Err(Refused::NotUtf8)`.
/// - Split on `/`. Skip empty segments and `.`; a `..` segment →
///   `Err(Refused::ParentDir)`; a segment containing `\` →
///   `Err(Refused::Backslash)`; one containing a NUL byte →
///   `Err(Refused::NulByte)`.
/// - Push every other segment onto a relative `PathBuf`.
///
/// Examples: `/static/a%20b.css` → `static/a b.css`; `/` → an empty path
/// (the root itself); `//x/./y` → `x/y`; `/a/%2E%2E/b` → `ParentDir`.
pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    todo!("lab 1: decode `url_path` and turn it into a safe relative path")
}
