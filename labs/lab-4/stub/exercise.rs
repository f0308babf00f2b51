//! Lab 4: a CGI host's two halves: the request as variables, and the
//! script's answer read back.
//!
//! This is the only file you edit. Run `cargo test -p lab-4` to grade it,
//! `cargo run -p workbook -- hint 4` for a hint, and
//! `cargo run -p workbook -- watch 4` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use crate::{BadHead, HeaderMap, Reply, ScriptRequest};

// Part 1: the request as variables (chapter 4, "The request as
// environment variables").

/// The meta-variables the server knows by itself, as `(NAME, value)` pairs.
/// (Chapter 4, "What the server knows")
///
/// Every field of `request` is a `String` unless noted:
/// `method`, `protocol`, `script_name`, `path_info` (empty when nothing
/// followed the script), `query` (empty when none), `host: Option<String>`
/// (the Host header), `local_addr` and `peer` (`SocketAddr`),
/// `script_filename` and `document_root` (`PathBuf`), `server_software`.
///
/// Return these, in any order:
/// - `GATEWAY_INTERFACE` = `CGI/1.1`; `SERVER_SOFTWARE`; `SERVER_PROTOCOL`;
///   `REQUEST_METHOD`; `SCRIPT_NAME`; `SCRIPT_FILENAME`; `DOCUMENT_ROOT`
///   (paths as text: `.display().to_string()`), each from its field;
/// - `QUERY_STRING`: always, even when empty;
/// - `PATH_INFO` and `PATH_TRANSLATED` only when `path_info` is not empty;
///   `PATH_TRANSLATED` is the document root followed by the path info;
/// - `SERVER_NAME`: the Host without a trailing `:port` (`example.com:8080`
///   → `example.com`, `[::1]:8080` → `[::1]`); with no Host, the IP of
///   `local_addr`. `SERVER_PORT`: the port of `local_addr`;
/// - `REMOTE_ADDR` and `REMOTE_HOST`: the IP of `peer`, alone;
///   `REMOTE_PORT`: its port.
///
/// The chapter's table lists every case the graded tests send.
pub fn request_variables(request: &ScriptRequest) -> Vec<(String, String)> {
    todo!("lab 4: turn what the server knows into CGI meta-variables")
}

/// The client's headers as meta-variables, as `(NAME, value)` pairs.
/// (Chapter 4, "What the client said")
///
/// `headers` is an `http::HeaderMap`: `headers.keys()` gives each name
/// once, in lower case; `headers.get_all(name)` every value sent under it;
/// a value's `to_str()` fails when it is not visible text.
///
/// Rules:
/// - `user-agent` → `HTTP_USER_AGENT`: upper case, `-` → `_`, `HTTP_` in
///   front;
/// - `content-type` and `content-length` → `CONTENT_TYPE` and
///   `CONTENT_LENGTH`, without `HTTP_`;
/// - a name sent several times → one variable, its values joined with
///   `", "` in the order received;
/// - never a variable for `proxy` (httpoxy), `authorization`, or a name
///   containing `_`;
/// - skip a value that is not text; never panic.
pub fn header_variables(headers: &HeaderMap) -> Vec<(String, String)> {
    todo!("lab 4: turn the request's headers into HTTP_* meta-variables")
}

// Part 2: the script's answer (chapter 4, "The script's answer").

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
    todo!("lab 4: find the first empty line in `output`")
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
    todo!("lab 4: read the header block line by line")
}
