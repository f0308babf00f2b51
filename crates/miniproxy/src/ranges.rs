//! Range requests: sending part of a file (RFC 9110 §14).
//!
//! A video player that seeks to minute 40 asks for `Range: bytes=…-` from
//! that point on; `curl -C -` resuming a broken download asks for the bytes
//! after what it already has. Without ranges, both fetch the whole file
//! again. The server says it can do this with `Accept-Ranges: bytes`, and
//! answers a range with `206 Partial Content`, a `Content-Range` saying
//! which bytes of how many, and only those bytes.
//!
//! Three forms name one range of a file of `len` bytes:
//!
//! | header              | means                    | bytes sent           |
//! |---------------------|--------------------------|----------------------|
//! | `bytes=100-199`     | from 100 to 199          | 100..=199            |
//! | `bytes=100-`        | from 100 to the end      | 100..=len-1          |
//! | `bytes=-100`        | the last 100             | len-100..=len-1      |
//!
//! A range that starts at or beyond the end cannot be served: `416 Range
//! Not Satisfiable`, with `Content-Range: bytes */len` so the client learns
//! the real length. A header that does not parse is ignored (the whole file,
//! 200), as the RFC asks: a range is an optimisation, never a reason to fail.
//!
//! `If-Range` guards a resumed download against a file that changed in
//! between: "send me the rest *if* it is still the version with this ETag
//! (or date); otherwise send me all of it". Gluing the end of a new file to
//! the start of an old one would give a corrupt file that looks whole.

use std::time::SystemTime;

use crate::files::truncate_to_seconds;

/// One range of bytes, both ends included (as the headers write them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub first: u64,
    pub last: u64,
}

impl ByteRange {
    /// How many bytes the range holds.
    pub fn length(&self) -> u64 {
        self.last - self.first + 1
    }

    /// `Content-Range: bytes 100-199/1000`.
    pub fn content_range(&self, total: u64) -> String {
        format!("bytes {}-{}/{total}", self.first, self.last)
    }
}

/// What to send for a GET, given its `Range` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ranged {
    /// No (usable) range: the whole file, 200.
    Whole,
    /// One range: 206 Partial Content.
    Part(ByteRange),
    /// The range starts past the end: 416.
    Unsatisfiable,
}

// ANCHOR: choose
/// Reads a `Range` header for a file of `total` bytes.
pub fn choose(range: &str, total: u64) -> Ranged {
    let Some((unit, spec)) = range.split_once('=') else {
        return Ranged::Whole;
    };
    if !unit.trim().eq_ignore_ascii_case("bytes") {
        return Ranged::Whole;
    }
    // Several ranges would need a `multipart/byteranges` answer. RFC 9110
    // §14.2 lets a server ignore a Range header and send the whole file,
    // and that is what we do (so does many a small server): it is always
    // correct, only less economical.
    if spec.contains(',') {
        return Ranged::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Ranged::Whole;
    };
    match (number(first), number(last)) {
        // `-n`: the last n bytes (all of them if the file is shorter).
        (None, Some(suffix)) if first.is_empty() => {
            if suffix == 0 {
                Ranged::Unsatisfiable
            } else if total == 0 {
                // No byte range can describe part of an empty file.
                Ranged::Whole
            } else {
                Ranged::Part(ByteRange {
                    first: total.saturating_sub(suffix),
                    last: total - 1,
                })
            }
        }
        (Some(first), _) if first >= total => Ranged::Unsatisfiable,
        // `a-`: from a to the end.
        (Some(first), None) if last.is_empty() => Ranged::Part(ByteRange {
            first,
            last: total - 1,
        }),
        // `a-b`, with b cut down to the end of the file.
        (Some(first), Some(last)) if first <= last => Ranged::Part(ByteRange {
            first,
            last: last.min(total - 1),
        }),
        // `5-2`, `x-`, `-`: not a range; ignored.
        _ => Ranged::Whole,
    }
}
// ANCHOR_END: choose

/// Digits only: `u64::from_str` would also take `+5`, which is no range.
fn number(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// Whether an `If-Range` header lets the range be honoured: only when it
/// names the file's current version.
///
/// An ETag must match exactly ("strong comparison"): a weak tag `W/"…"`
/// says "equivalent", not "byte for byte the same", so it never matches.
/// A date must equal the file's `Last-Modified` to the second.
pub fn if_range_allows(if_range: &str, etag: &str, modified: Option<SystemTime>) -> bool {
    let if_range = if_range.trim();
    if if_range.starts_with('"') {
        return if_range == etag;
    }
    if if_range.starts_with("W/") {
        return false;
    }
    match (httpdate::parse_http_date(if_range), modified) {
        (Ok(date), Some(modified)) => truncate_to_seconds(modified) == date,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(first: u64, last: u64) -> Ranged {
        Ranged::Part(ByteRange { first, last })
    }

    #[test]
    fn the_three_forms() {
        assert_eq!(choose("bytes=0-9", 100), part(0, 9));
        assert_eq!(choose("bytes=90-", 100), part(90, 99));
        assert_eq!(choose("bytes=-10", 100), part(90, 99));
        assert_eq!(choose("BYTES=1-1", 100), part(1, 1));
    }

    #[test]
    fn ranges_are_cut_to_the_file() {
        assert_eq!(choose("bytes=90-500", 100), part(90, 99));
        assert_eq!(choose("bytes=-500", 100), part(0, 99));
    }

    #[test]
    fn past_the_end_is_unsatisfiable() {
        assert_eq!(choose("bytes=100-", 100), Ranged::Unsatisfiable);
        assert_eq!(choose("bytes=100-200", 100), Ranged::Unsatisfiable);
        assert_eq!(choose("bytes=-0", 100), Ranged::Unsatisfiable);
        assert_eq!(choose("bytes=0-", 0), Ranged::Unsatisfiable);
    }

    #[test]
    fn what_does_not_parse_is_ignored() {
        for header in [
            "bytes=5-2",
            "bytes=-",
            "bytes=x-",
            "bytes=+1-2",
            "items=0-1",
            "bytes 0-1",
            "bytes=0-1,5-6",
        ] {
            assert_eq!(choose(header, 100), Ranged::Whole, "{header}");
        }
        assert_eq!(choose("bytes=-5", 0), Ranged::Whole);
    }

    #[test]
    fn if_range_needs_the_current_version() {
        let modified = httpdate::parse_http_date("Wed, 25 Nov 2026 15:12:02 GMT").unwrap();
        let allows = |header| if_range_allows(header, "\"a-1\"", Some(modified));
        assert!(allows("\"a-1\""));
        assert!(!allows("\"b-2\""));
        assert!(!allows("W/\"a-1\""));
        assert!(allows("Wed, 25 Nov 2026 15:12:02 GMT"));
        assert!(!allows("Wed, 25 Nov 2026 15:12:01 GMT"));
        assert!(!allows("yesterday"));
    }
}
