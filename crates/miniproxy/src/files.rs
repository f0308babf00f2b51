//! Serving files from a web root, safely.
//!
//! Two steps, kept apart on purpose:
//!
//! 1. [`resolve`] turns the URL path into a *relative* file path, refusing
//!    anything that could climb out of the root (`..`, `%2e%2e`, `\`, NUL).
//!    It is pure string work, so it is easy to test and to get right.
//! 2. [`serve`] joins that path to the root, follows symlinks, and checks the
//!    real location is still inside the root before opening anything. That
//!    second guard catches what no string check can see: a symlink pointing
//!    at `/etc`.

use std::io;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use futures_util::TryStreamExt;
use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use percent_encoding::percent_decode_str;
use tokio_util::io::ReaderStream;

use crate::response::{empty, text, Body};

/// Why a URL path was refused before the disk was touched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// After percent-decoding the bytes are not UTF-8 text.
    #[error("the path is not valid UTF-8 after percent-decoding")]
    NotUtf8,
    /// A `..` segment (also spelled `%2e%2e`) would climb out of the root.
    #[error("the path climbs to a parent directory with '..'")]
    ParentDir,
    /// A backslash is a separator on Windows and never belongs in a name.
    #[error("the path contains a backslash")]
    Backslash,
    /// A NUL byte ends a string in C and confuses the operating system.
    #[error("the path contains a NUL byte")]
    NulByte,
}

// ANCHOR: resolve
/// Turns a URL path such as `/static/a%20b.css` into the relative file path
/// `static/a b.css`, or refuses it.
///
/// Decoding comes first and checking second: `%2e%2e` *is* `..` once decoded,
/// and a check run on the raw text would miss it.
pub fn resolve(url_path: &str) -> Result<PathBuf, Refused> {
    let decoded = percent_decode_str(url_path)
        .decode_utf8()
        .map_err(|_| Refused::NotUtf8)?;

    let mut relative = PathBuf::new();
    for segment in decoded.split('/') {
        match segment {
            // "//" and "/./" add nothing: skip them like a shell would.
            "" | "." => continue,
            ".." => return Err(Refused::ParentDir),
            _ if segment.contains('\\') => return Err(Refused::Backslash),
            _ if segment.contains('\0') => return Err(Refused::NulByte),
            _ => relative.push(segment),
        }
    }
    Ok(relative)
}
// ANCHOR_END: resolve

/// Serves `relative` (already checked by `resolve`) from `root`.
///
/// `root` must be canonical (absolute, no symlinks) so the containment check
/// compares like with like. `url_path` is the original path, for redirects.
pub async fn serve(
    root: &Path,
    relative: &Path,
    url_path: &str,
    query: Option<&str>,
    method: &Method,
    request_headers: &HeaderMap,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "static files take GET or HEAD",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }

    let mut path = match inside_root(root, &root.join(relative)).await {
        Ok(path) => path,
        Err(response) => return response,
    };
    let mut metadata = match tokio::fs::metadata(&path).await {
        Ok(metadata) => metadata,
        Err(error) => return io_error_response(&error, url_path),
    };

    if metadata.is_dir() {
        // Like nginx: "/docs" becomes "/docs/" so that relative links inside
        // docs/index.html resolve against the right directory.
        if !url_path.ends_with('/') {
            return redirect_to_directory(url_path, query);
        }
        path = match inside_root(root, &path.join("index.html")).await {
            Ok(path) => path,
            Err(response) => return response,
        };
        metadata = match tokio::fs::metadata(&path).await {
            Ok(metadata) if metadata.is_file() => metadata,
            Ok(_) => return text(StatusCode::NOT_FOUND, url_path),
            Err(error) => return io_error_response(&error, url_path),
        };
    }
    if !metadata.is_file() {
        return text(StatusCode::NOT_FOUND, url_path);
    }

    let validators = Validators::of(&metadata);
    let mut response = if validators.client_copy_is_fresh(request_headers) {
        let mut response = Response::new(empty());
        *response.status_mut() = StatusCode::NOT_MODIFIED;
        response
    } else if method == Method::HEAD {
        let mut response = Response::new(empty());
        response
            .headers_mut()
            .insert(header::CONTENT_LENGTH, HeaderValue::from(metadata.len()));
        response
    } else {
        match tokio::fs::File::open(&path).await {
            Ok(file) => {
                let mut response = Response::new(stream_file(file));
                response
                    .headers_mut()
                    .insert(header::CONTENT_LENGTH, HeaderValue::from(metadata.len()));
                response
            }
            Err(error) => return io_error_response(&error, url_path),
        }
    };

    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, content_type(&path));
    validators.write_to(headers);
    response
}

/// Follows every symlink in `candidate` and checks the real path is inside
/// `root`. A symlink is allowed only while it points somewhere in the root.
async fn inside_root(root: &Path, candidate: &Path) -> Result<PathBuf, Response<Body>> {
    match tokio::fs::canonicalize(candidate).await {
        Ok(real) if real.starts_with(root) => Ok(real),
        Ok(_) => Err(text(
            StatusCode::FORBIDDEN,
            "the file lies outside the web root",
        )),
        Err(error) => Err(io_error_response(&error, &candidate.display().to_string())),
    }
}

fn io_error_response(error: &io::Error, what: &str) -> Response<Body> {
    match error.kind() {
        // "Not a directory" shows up for /file.css/extra: also just not found.
        io::ErrorKind::NotFound | io::ErrorKind::NotADirectory => {
            text(StatusCode::NOT_FOUND, "no such file")
        }
        io::ErrorKind::PermissionDenied => text(StatusCode::FORBIDDEN, "permission denied"),
        _ => {
            tracing::warn!(%error, what, "static file error");
            text(StatusCode::INTERNAL_SERVER_ERROR, "could not read the file")
        }
    }
}

fn redirect_to_directory(url_path: &str, query: Option<&str>) -> Response<Body> {
    let location = match query {
        Some(query) => format!("{url_path}/?{query}"),
        None => format!("{url_path}/"),
    };
    let mut response = text(StatusCode::MOVED_PERMANENTLY, &location);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Streams the file 64 KiB at a time: a 2 GB video costs 64 KiB of memory,
/// not 2 GB.
fn stream_file(file: tokio::fs::File) -> Body {
    let chunks = ReaderStream::with_capacity(file, 64 * 1024);
    StreamBody::new(chunks.map_ok(Frame::data).map_err(Into::into)).boxed()
}

fn content_type(path: &Path) -> HeaderValue {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    // Say the charset for text, or a browser may guess wrong for non-ASCII.
    let needs_charset = mime.type_() == mime_guess::mime::TEXT
        || mime.essence_str() == "application/javascript"
        || mime.essence_str() == "application/json";
    let value = if needs_charset {
        format!("{}; charset=utf-8", mime.essence_str())
    } else {
        mime.essence_str().to_owned()
    };
    HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("application/octet-stream"))
}

/// What lets a browser ask "has this changed since I fetched it?" and get a
/// bodiless 304 instead of the whole file again.
struct Validators {
    etag: String,
    modified: Option<SystemTime>,
}

impl Validators {
    fn of(metadata: &std::fs::Metadata) -> Validators {
        let modified = metadata.modified().ok();
        let nanos = modified
            .and_then(|time| time.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |age| age.as_nanos());
        // Size and modification time change whenever the content does in
        // practice, and cost nothing to read (no hashing of the file).
        Validators {
            etag: format!("\"{:x}-{:x}\"", metadata.len(), nanos),
            modified,
        }
    }

    fn write_to(&self, headers: &mut HeaderMap) {
        if let Ok(value) = HeaderValue::from_str(&self.etag) {
            headers.insert(header::ETAG, value);
        }
        if let Some(modified) = self.modified {
            if let Ok(value) = HeaderValue::from_str(&httpdate::fmt_http_date(modified)) {
                headers.insert(header::LAST_MODIFIED, value);
            }
        }
    }

    /// RFC 9110 §13.2.2: If-None-Match wins; If-Modified-Since is consulted
    /// only when the client sent no If-None-Match.
    fn client_copy_is_fresh(&self, request: &HeaderMap) -> bool {
        if let Some(if_none_match) = request.get(header::IF_NONE_MATCH) {
            let Ok(list) = if_none_match.to_str() else {
                return false;
            };
            return list.split(',').map(str::trim).any(|tag| {
                // A weak tag W/"x" matches "x" for this purpose.
                tag == "*" || tag.trim_start_matches("W/") == self.etag
            });
        }
        let since = request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| httpdate::parse_http_date(value).ok());
        match (since, self.modified) {
            // HTTP dates have whole seconds: compare at that precision.
            (Some(since), Some(modified)) => truncate_to_seconds(modified) <= since,
            _ => false,
        }
    }
}

fn truncate_to_seconds(time: SystemTime) -> SystemTime {
    match time.duration_since(UNIX_EPOCH) {
        Ok(age) => UNIX_EPOCH + std::time::Duration::from_secs(age.as_secs()),
        Err(_) => time,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_decodes_and_joins_segments() {
        assert_eq!(
            resolve("/static/a%20b.css"),
            Ok(PathBuf::from("static/a b.css"))
        );
        assert_eq!(resolve("/"), Ok(PathBuf::new()));
        assert_eq!(resolve("//a/./b/"), Ok(PathBuf::from("a/b")));
    }

    #[test]
    fn resolve_refuses_every_way_out() {
        assert_eq!(resolve("/../etc/passwd"), Err(Refused::ParentDir));
        assert_eq!(resolve("/a/%2e%2e/%2E%2E/x"), Err(Refused::ParentDir));
        assert_eq!(resolve("/a/..%2f..%2fx"), Err(Refused::ParentDir));
        assert_eq!(resolve("/a%5c..%5cx"), Err(Refused::Backslash));
        assert_eq!(resolve("/a%00.css"), Err(Refused::NulByte));
        assert_eq!(resolve("/%ff"), Err(Refused::NotUtf8));
    }
}
