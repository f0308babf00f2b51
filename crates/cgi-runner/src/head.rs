//! The script's answer: a header block, a blank line, then the body
//! (RFC 3875 §6).
//!
//! A CGI script does not write an HTTP response. It writes *CGI* header
//! lines (`Content-Type: text/html`, maybe `Status: 404 Not Found` or
//! `Location: /elsewhere`), an empty line, and the body. The server reads
//! that, checks it, and builds the real HTTP response from it. Two steps,
//! kept apart because they fail differently:
//!
//! 1. [`end_of_head`]: *where* does the header block end? The script may end
//!    its lines with `\n` (most do) or `\r\n` (HTTP's own habit), and the
//!    body that follows may contain empty lines of its own.
//! 2. [`parse_head`]: *what* does it say? Anything that is not a well-formed
//!    header is refused as a whole. A server that passes on "the lines that
//!    looked fine" sends half a response the script never meant; Apache
//!    answers such a script with 500 and logs why, and so do we.

// ANCHOR: reply
/// What a script's header block asks the server to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// An ordinary document: send `status` (200 unless a `Status:` header
    /// said otherwise) with these headers, then the body.
    Document {
        status: u16,
        headers: Vec<(String, String)>,
    },
    /// `Location: /path`: the server fetches that path itself, as a new GET,
    /// and the client gets that answer without knowing (RFC 3875 §6.2.2).
    LocalRedirect { path: String },
    /// `Location: https://…`: the client is sent there, with `status` (302
    /// unless a `Status:` header said otherwise) and these other headers.
    ClientRedirect {
        location: String,
        status: u16,
        headers: Vec<(String, String)>,
    },
}

/// Why a header block was refused. The server answers 500 and logs this.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadHead {
    /// A line that is not `Name: value` with a valid name.
    #[error("not a header line: {0:?}")]
    NotAHeader(String),
    /// A `Status:` whose value does not start with a code from 100 to 599.
    #[error("bad Status header: {0:?}")]
    BadStatus(String),
    /// A `Location:` that is neither a local path nor an absolute URL.
    #[error("bad Location header: {0:?}")]
    BadLocation(String),
    /// A document without `Content-Type`.
    #[error("no Content-Type header")]
    NoContentType,
}
// ANCHOR_END: reply

// ANCHOR: end_of_head
/// Finds the blank line that ends the header block in what the script has
/// written so far. Returns `(head_end, body_start)`: the header block is
/// `output[..head_end]` (without the blank line), the body begins at
/// `body_start`. `None`: no blank line yet, keep reading.
///
/// A line ends with `\n`, optionally preceded by `\r`; the first *empty*
/// line is the end, so `\n\n`, `\r\n\r\n` and even a mix work, and blank
/// lines later in the body are left alone. The header block keeps the line
/// break of its last line: `b"A: b\n\nbody"` gives `(5, 6)`.
pub fn end_of_head(output: &[u8]) -> Option<(usize, usize)> {
    let mut line_start = 0;
    while let Some(offset) = output[line_start..].iter().position(|&b| b == b'\n') {
        let newline = line_start + offset;
        let line = &output[line_start..newline];
        if line.is_empty() || line == b"\r" {
            return Some((line_start, newline + 1));
        }
        line_start = newline + 1;
    }
    None
}
// ANCHOR_END: end_of_head

// ANCHOR: parse_head
/// Reads a header block (its lines, each ended by `\n` or `\r\n`, without
/// the blank line) into a [`Reply`], or refuses all of it.
pub fn parse_head(head: &str) -> Result<Reply, BadHead> {
    let mut status = None;
    let mut location = None;
    let mut has_content_type = false;
    let mut headers = Vec::new();

    // `lines` ends a line at `\n` or `\r\n`, whichever the script used.
    for line in head.lines() {
        let (name, value) = line
            .split_once(':')
            .filter(|(name, _)| is_token(name))
            .ok_or_else(|| BadHead::NotAHeader(line.to_string()))?;
        let value = value.trim_matches([' ', '\t']);
        // CGI header names ignore case, like HTTP's (RFC 3875 §6.3).
        if name.eq_ignore_ascii_case("status") {
            status = Some(parse_status(value)?);
        } else if name.eq_ignore_ascii_case("location") {
            location = Some(value.to_string());
        } else {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            headers.push((name.to_string(), value.to_string()));
        }
    }

    match location {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => {
            Ok(Reply::LocalRedirect { path })
        }
        Some(url) if is_absolute_url(&url) => Ok(Reply::ClientRedirect {
            location: url,
            status: status.unwrap_or(302),
            headers,
        }),
        // `//host/x` is a URL on another site (protocol-relative), not a
        // local path: refusing it keeps a script from open-redirecting.
        Some(other) => Err(BadHead::BadLocation(other)),
        None if !has_content_type => Err(BadHead::NoContentType),
        None => Ok(Reply::Document {
            status: status.unwrap_or(200),
            headers,
        }),
    }
}

/// `404 Not Found` → 404. The reason phrase is optional and not kept.
fn parse_status(value: &str) -> Result<u16, BadHead> {
    let bad = || BadHead::BadStatus(value.to_string());
    let (code, rest) = value.split_at_checked(3).ok_or_else(bad)?;
    if !code.bytes().all(|b| b.is_ascii_digit()) || !(rest.is_empty() || rest.starts_with(' ')) {
        return Err(bad());
    }
    let code: u16 = code.parse().map_err(|_| bad())?;
    if (100..=599).contains(&code) {
        Ok(code)
    } else {
        Err(bad())
    }
}
// ANCHOR_END: parse_head

/// A header name: one or more of HTTP's token characters (RFC 9110 §5.6.2),
/// so no spaces, no colons, nothing invisible.
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// `scheme://…`, where a scheme is a letter then letters, digits, `+-.`.
fn is_absolute_url(url: &str) -> bool {
    match url.split_once("://") {
        Some((scheme, _)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"+-.".contains(&b))
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_ends_at_the_first_blank_line() {
        assert_eq!(end_of_head(b"A: b\n\nbody\n\nmore"), Some((5, 6)));
        assert_eq!(end_of_head(b"A: b\r\n\r\nbody"), Some((6, 8)));
        assert_eq!(end_of_head(b"A: b\r\n\nbody"), Some((6, 7)));
        assert_eq!(end_of_head(b"\nbody"), Some((0, 1)));
        assert_eq!(end_of_head(b"A: b\r\nC: d\r\n"), None);
    }

    #[test]
    fn documents_redirects_and_refusals() {
        assert_eq!(
            parse_head("Content-Type: text/plain\r\nSTATUS: 404 Not Found"),
            Ok(Reply::Document {
                status: 404,
                headers: vec![("Content-Type".into(), "text/plain".into())]
            })
        );
        assert_eq!(
            parse_head("Location: /x?y=1"),
            Ok(Reply::LocalRedirect {
                path: "/x?y=1".into()
            })
        );
        assert!(matches!(
            parse_head("Location: https://example.com/"),
            Ok(Reply::ClientRedirect { status: 302, .. })
        ));
        assert_eq!(
            parse_head("Location: //evil.example/"),
            Err(BadHead::BadLocation("//evil.example/".into()))
        );
        assert_eq!(parse_head("X-A: 1"), Err(BadHead::NoContentType));
        assert_eq!(
            parse_head("Content-Type: text/plain\nhello"),
            Err(BadHead::NotAHeader("hello".into()))
        );
        assert_eq!(
            parse_head("Content-Type: text/plain\nStatus: 99"),
            Err(BadHead::BadStatus("99".into()))
        );
        assert_eq!(
            parse_head("Content-Type: text/plain\nStatus: 2000"),
            Err(BadHead::BadStatus("2000".into()))
        );
    }
}
