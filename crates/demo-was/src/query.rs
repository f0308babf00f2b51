//! Reading `?name=value` pairs out of a URL.
//!
//! A URL can only carry a small set of characters, so everything else is
//! *percent-encoded*: a space becomes `%20`, `ü` becomes `%C3%BC` (its two
//! UTF-8 bytes). HTML forms add one more rule: in the query string a `+`
//! also means a space. An application has to undo both before it can use
//! the value — this is one of the jobs a framework (Spring, Django, Express)
//! quietly does for you.

use percent_encoding::percent_decode_str;

/// The decoded value of the first `key=value` pair named `key` in `query`
/// (the part of the URL after `?`), or `None` if there is no such pair.
///
/// Bytes that are not valid UTF-8 after decoding become `�` rather than an
/// error: a greeting with a replacement character is more useful to a
/// learner than a refusal.
// ANCHOR: query_param
pub fn param(query: Option<&str>, key: &str) -> Option<String> {
    query?
        .split('&')
        .map(|pair| pair.split_once('=').unwrap_or((pair, "")))
        .find(|(k, _)| decode(k) == key)
        .map(|(_, v)| decode(v))
}

/// Undo form encoding: `+` means space, `%XX` means the byte 0xXX.
fn decode(s: &str) -> String {
    // Replace `+` first: a literal plus arrives as `%2B`, which decoding turns
    // back into `+` only after this step, so it survives.
    let spaced = s.replace('+', " ");
    percent_decode_str(&spaced).decode_utf8_lossy().into_owned()
}
// ANCHOR_END: query_param

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_decodes_a_value() {
        let q = Some("x=1&name=J%C3%BCrgen+K%2B1&name=second");
        assert_eq!(param(q, "name").as_deref(), Some("Jürgen K+1"));
        assert_eq!(param(q, "x").as_deref(), Some("1"));
    }

    #[test]
    fn missing_key_or_query_is_none() {
        assert_eq!(param(None, "name"), None);
        assert_eq!(param(Some(""), "name"), None);
        assert_eq!(param(Some("names=1"), "name"), None);
    }

    #[test]
    fn key_without_value_is_empty() {
        assert_eq!(param(Some("name"), "name").as_deref(), Some(""));
        assert_eq!(param(Some("name="), "name").as_deref(), Some(""));
    }

    #[test]
    fn bad_encodings_do_not_fail() {
        // An unfinished escape is kept as it is; invalid UTF-8 becomes U+FFFD.
        assert_eq!(param(Some("name=100%"), "name").as_deref(), Some("100%"));
        assert_eq!(param(Some("name=%ZZ"), "name").as_deref(), Some("%ZZ"));
        assert_eq!(param(Some("name=%FF"), "name").as_deref(), Some("\u{FFFD}"));
    }
}
