//! Lab 5: reading the script's answer.
//!
//! This is the only file you edit. Run `cargo test -p lab-5` to grade it,
//! `cargo run -p workbook -- hint 5` for a hint, and
//! `cargo run -p workbook -- watch 5` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use crate::{BadHead, Reply};

/// Finds the blank line that ends the script's header block in `output`
/// (everything the script has written so far). (Chapter 4, "Where the
/// header block ends")
///
/// Return `Some((head_end, body_start))`, where `output[..head_end]` is the
/// header block *including* the line break of its last line, and the body
/// starts at `body_start`, just after the blank line. Return `None` when
/// there is no blank line yet: the server reads more and asks again.
///
/// Rules:
/// - a line ends with `\n`, with or without a `\r` before it;
/// - the *first* empty line ends the block: `\n\n`, `\r\n\r\n`, or a mix
///   (`\r\n\n`);
/// - later blank lines belong to the body.
///
/// Examples: `b"A: b\n\nbody"` → `Some((5, 6))`; `b"A: b\r\n\r\nbody"` →
/// `Some((6, 8))`; `b"A: b\r\n"` → `None`.
pub fn end_of_head(output: &[u8]) -> Option<(usize, usize)> {
    todo!("lab 5: find the first empty line in `output`")
}

/// Reads the header block (lines ended by `\n` or `\r\n`, without the
/// blank line) into a [`Reply`], or refuses the whole of it with a
/// [`BadHead`]. (Chapter 4, "What the header block says")
///
/// Rules:
/// - every line is `Name: value`; the name is one or more letters, digits
///   or `!#$%&'*+-.^_`|~`; the value loses its surrounding spaces and tabs.
///   Anything else → `Err(BadHead::NotAHeader(line))`;
/// - names ignore case (`status`, `STATUS`, `Status`);
/// - `Status: 404 Not Found` sets the status: three digits, 100 to 599,
///   then the end or a space. Anything else → `Err(BadHead::BadStatus(value))`;
/// - `Location:` starting with one `/` (not `//`) → `Reply::LocalRedirect`;
///   `scheme://…` (a letter, then letters, digits, `+-.`) →
///   `Reply::ClientRedirect` (status 302 unless `Status:` says otherwise);
///   anything else → `Err(BadHead::BadLocation(value))`;
/// - no `Location`: a `Reply::Document` (status 200 unless `Status:` says
///   otherwise), which needs a `Content-Type`, else `Err(BadHead::NoContentType)`;
/// - `headers` holds every other header as `(name, value)`, in order:
///   never `Status` or `Location`.
pub fn parse_head(head: &str) -> Result<Reply, BadHead> {
    todo!("lab 5: read the header block line by line")
}
