//! Lab 4: the request as variables.
//!
//! This is the only file you edit. Run `cargo test -p lab-4` to grade it,
//! `cargo run -p workbook -- hint 4` for a hint, and
//! `cargo run -p workbook -- watch 4` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use crate::{HeaderMap, ScriptRequest};

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
