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
//!
//! A GET may ask for part of a file (`Range`); [`crate::ranges`] decides
//! which part, and [`serve`] reads only that part from disk.

use std::io::{self, Read, Seek};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures_util::TryStreamExt;
use http::{header, HeaderMap, HeaderValue, Method, Response, StatusCode};
use http_body_util::{BodyExt, StreamBody};
use hyper::body::Frame;
use percent_encoding::percent_decode_str;
use tokio::io::AsyncReadExt;
use tokio_util::io::ReaderStream;

mod cache;

use crate::ranges::{self, ByteRange, Ranged};
use crate::response::{empty, full, text, Body};

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

/// Files up to this size are read in one go; larger ones are streamed.
const READ_WHOLE_LIMIT: u64 = 64 * 1024;

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

    let candidate = root.join(relative);
    let conditions = Conditions::from(request_headers);
    let wants_body = method == Method::GET;
    let directory_url = url_path.ends_with('/');

    // A small file served before and unchanged since: from memory (see
    // `cache` for what "unchanged" costs and means). Ranges take the slow
    // path; they are rare for small files.
    if conditions.range.is_none() {
        if let Some(hit) = cache::get(root, &candidate, directory_url) {
            let content = if hit.validators.client_copy_is_fresh(&conditions) {
                Content::NotModified
            } else if wants_body {
                Content::Read(hit.body.clone())
            } else {
                Content::HeadOnly
            };
            return respond(content, hit.body.len() as u64, None, hit.headers.clone());
        }
    }

    // Every disk call blocks, so tokio runs each `tokio::fs` call on a thread
    // pool. One trip there for the whole lookup is much cheaper than one per
    // call: that alone roughly doubles the requests per second.
    let root = root.to_path_buf();
    let lookup = {
        let (root, candidate) = (root.clone(), candidate.clone());
        tokio::task::spawn_blocking(move || {
            look_up(&root, &candidate, directory_url, &conditions, wants_body)
        })
        .await
    };

    let found = match lookup {
        Ok(Ok(found)) => found,
        Ok(Err(Missing::Redirect)) => return redirect_to_directory(url_path, query),
        Ok(Err(Missing::OutsideRoot)) => {
            return text(StatusCode::FORBIDDEN, "the file lies outside the web root")
        }
        Ok(Err(Missing::NotAFile)) => return text(StatusCode::NOT_FOUND, "no such file"),
        Ok(Err(Missing::Io(error))) => return io_error_response(&error, url_path),
        Err(_) => return text(StatusCode::INTERNAL_SERVER_ERROR, "the file lookup failed"),
    };

    // The headers every answer about this file carries.
    let mut headers = HeaderMap::new();
    headers.insert(header::CONTENT_TYPE, content_type(&found.path));
    found.validators.write_to(&mut headers);
    if let (Content::Read(body), None) = (&found.content, found.part) {
        cache::put(
            &root,
            &candidate,
            directory_url,
            found.path.clone(),
            &found.metadata,
            body.clone(),
            found.validators,
            headers.clone(),
        );
    }
    respond(found.content, found.length, found.part, headers)
}

/// The answer for a file of `length` bytes: the status and body `content`
/// says, the part's range for a 206, and the file's own `headers`.
fn respond(
    content: Content,
    length: u64,
    part: Option<ByteRange>,
    file_headers: HeaderMap,
) -> Response<Body> {
    let mut response = match content {
        Content::NotModified => {
            let mut response = Response::new(empty());
            *response.status_mut() = StatusCode::NOT_MODIFIED;
            response
        }
        Content::Unsatisfiable => return unsatisfiable(length),
        Content::HeadOnly => Response::new(empty()),
        Content::Read(bytes) => Response::new(full(bytes)),
        Content::Stream(file, length) => {
            Response::new(stream_file(tokio::fs::File::from_std(file), length))
        }
    };
    let has_body_length = response.status() == StatusCode::OK;
    let headers = response.headers_mut();
    // Tell clients they may ask for parts (video seeking, resumed downloads).
    headers.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    match part {
        Some(part) if has_body_length => {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(part.length()));
            if let Ok(value) = HeaderValue::from_str(&part.content_range(length)) {
                headers.insert(header::CONTENT_RANGE, value);
            }
            *response.status_mut() = StatusCode::PARTIAL_CONTENT;
        }
        _ if has_body_length => {
            headers.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
        }
        _ => {}
    }
    response.headers_mut().extend(file_headers);
    response
}

/// 416: the range starts past the end. `bytes */LEN` tells the client the
/// real length, so it can ask again sensibly.
fn unsatisfiable(length: u64) -> Response<Body> {
    let mut response = text(
        StatusCode::RANGE_NOT_SATISFIABLE,
        format_args!("the range starts beyond the file's {length} bytes"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("bytes */{length}")) {
        response.headers_mut().insert(header::CONTENT_RANGE, value);
    }
    response
}

/// What the disk said about a request, worked out in one blocking call.
struct Found {
    path: PathBuf,
    /// What the file was when it was read (the cache's reference).
    metadata: std::fs::Metadata,
    /// The whole file's length.
    length: u64,
    /// The part to send, for a range request: 206 instead of 200.
    part: Option<ByteRange>,
    validators: Validators,
    content: Content,
}

enum Content {
    /// The client's copy is current: 304, no body.
    NotModified,
    /// The range asked for starts past the end: 416.
    Unsatisfiable,
    /// A HEAD request: the headers alone.
    HeadOnly,
    /// A small file (or part), already read.
    Read(Bytes),
    /// A large file (or part), to stream a chunk at a time: the file is
    /// positioned at the first byte to send, and this many bytes follow.
    Stream(std::fs::File, u64),
}

enum Missing {
    /// A directory asked for without its trailing slash.
    Redirect,
    OutsideRoot,
    NotAFile,
    Io(io::Error),
}

impl From<io::Error> for Missing {
    fn from(error: io::Error) -> Missing {
        Missing::Io(error)
    }
}

fn look_up(
    root: &Path,
    candidate: &Path,
    directory_url: bool,
    conditions: &Conditions,
    wants_body: bool,
) -> Result<Found, Missing> {
    let mut path = inside_root(root, candidate)?;
    let mut metadata = std::fs::metadata(&path)?;
    if metadata.is_dir() {
        // Like nginx: "/docs" becomes "/docs/" so that relative links inside
        // docs/index.html resolve against the right directory.
        if !directory_url {
            return Err(Missing::Redirect);
        }
        // index.html may itself be a symlink: it gets the same check.
        path = inside_root(root, &path.join("index.html"))?;
        metadata = std::fs::metadata(&path)?;
    }
    if !metadata.is_file() {
        return Err(Missing::NotAFile);
    }

    let validators = Validators::of(&metadata);
    let length = metadata.len();
    let whole = ByteRange {
        first: 0,
        last: length.saturating_sub(1),
    };
    let mut part = None;
    // The order is RFC 9110 §13.2.2's: "is your copy current?" (304) comes
    // before "which part do you want?". Only GET has ranges: for HEAD the
    // RFC says to ignore them, and answer as for the whole file.
    let content = if validators.client_copy_is_fresh(conditions) {
        Content::NotModified
    } else if !wants_body {
        Content::HeadOnly
    } else {
        match conditions.ranged(&validators, length) {
            Ranged::Unsatisfiable => Content::Unsatisfiable,
            Ranged::Whole if length == 0 => Content::Read(Bytes::new()),
            Ranged::Whole => read(&path, whole)?,
            Ranged::Part(range) => {
                part = Some(range);
                read(&path, range)?
            }
        }
    };
    Ok(Found {
        length,
        part,
        path,
        metadata,
        validators,
        content,
    })
}

/// Opens the file at the range's first byte: reads it now if it is small,
/// or leaves it to be streamed. Either way, only the range's bytes are read.
fn read(path: &Path, range: ByteRange) -> io::Result<Content> {
    let mut file = std::fs::File::open(path)?;
    file.seek(io::SeekFrom::Start(range.first))?;
    if range.length() > READ_WHOLE_LIMIT {
        return Ok(Content::Stream(file, range.length()));
    }
    let mut bytes = Vec::with_capacity(range.length() as usize);
    file.take(range.length()).read_to_end(&mut bytes)?;
    Ok(Content::Read(Bytes::from(bytes)))
}

/// Follows every symlink in `candidate` and checks the real path is inside
/// `root`. A symlink is allowed only while it points somewhere in the root.
fn inside_root(root: &Path, candidate: &Path) -> Result<PathBuf, Missing> {
    let real = std::fs::canonicalize(candidate)?;
    if real.starts_with(root) {
        Ok(real)
    } else {
        Err(Missing::OutsideRoot)
    }
}

/// Turns a failed disk call into an answer.
///
/// Anyone can make the disk fail on purpose: a 300-character name
/// (ENAMETOOLONG), or a path through a symlink loop a careless deploy left
/// behind (ELOOP). Those are the client's doing, not the server's, so they
/// are a 404 or a 403 logged at debug level: a WARN line per request would
/// let a script fill the log, and a 500 would page someone for nothing.
/// What is left is a real server problem, worth a 500 and a warning.
fn io_error_response(error: &io::Error, what: &str) -> Response<Body> {
    let (status, message) = match (error.raw_os_error(), error.kind()) {
        // "Not a directory" shows up for /file.css/extra: also just not found.
        (_, io::ErrorKind::NotFound | io::ErrorKind::NotADirectory) => {
            (StatusCode::NOT_FOUND, "no such file")
        }
        (Some(libc::ENAMETOOLONG), _) => (StatusCode::NOT_FOUND, "no such file"),
        (Some(libc::ELOOP), _) => (StatusCode::FORBIDDEN, "the path loops through symlinks"),
        (_, io::ErrorKind::PermissionDenied) => (StatusCode::FORBIDDEN, "permission denied"),
        // Out of file descriptors: busy, not broken. Try again later.
        (Some(libc::EMFILE | libc::ENFILE), _) => {
            (StatusCode::SERVICE_UNAVAILABLE, "too many open files")
        }
        _ => {
            tracing::warn!(%error, what, "static file error");
            return text(StatusCode::INTERNAL_SERVER_ERROR, "could not read the file");
        }
    };
    tracing::debug!(%error, what, "static file refused");
    text(status, message)
}

fn redirect_to_directory(url_path: &str, query: Option<&str>) -> Response<Body> {
    let location = directory_location(url_path, query);
    let mut response = text(StatusCode::MOVED_PERMANENTLY, &location);
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

/// Where a directory URL without its trailing slash redirects to.
///
/// Leading slashes are collapsed to one: `//evil.example/` in a `Location`
/// header is a *protocol-relative* URL, which the browser reads as "the
/// host evil.example". Built from the raw path, `//evil.example` (a
/// directory called `evil.example` under the root) would send visitors to
/// someone else's site: an open redirect.
fn directory_location(url_path: &str, query: Option<&str>) -> String {
    let path = format!("/{}/", url_path.trim_start_matches('/'));
    match query {
        Some(query) => format!("{path}?{query}"),
        None => path,
    }
}

/// Streams `length` bytes of the file, 64 KiB at a time: a 2 GB video
/// costs 64 KiB of memory, not 2 GB.
///
/// `take(length)` stops at the end of the range, and also keeps the promise
/// made by `Content-Length` when the file grows while it is being sent.
fn stream_file(file: tokio::fs::File, length: u64) -> Body {
    let chunks = ReaderStream::with_capacity(file.take(length), 64 * 1024);
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

/// The request's "do I still have the latest?" and "which part?" headers.
struct Conditions {
    /// An unreadable (non-ASCII) value matches nothing.
    if_none_match: Option<String>,
    if_modified_since: Option<SystemTime>,
    /// `Range` and `If-Range`; unreadable ones are ignored.
    range: Option<String>,
    if_range: Option<String>,
}

impl Conditions {
    /// Which part of a file of `length` bytes to send: a range is honoured
    /// only if `If-Range` (when sent) names the current version.
    fn ranged(&self, validators: &Validators, length: u64) -> Ranged {
        let Some(range) = &self.range else {
            return Ranged::Whole;
        };
        match &self.if_range {
            Some(if_range)
                if !ranges::if_range_allows(if_range, &validators.etag, validators.modified) =>
            {
                Ranged::Whole
            }
            _ => ranges::choose(range, length),
        }
    }
}

impl From<&HeaderMap> for Conditions {
    fn from(headers: &HeaderMap) -> Conditions {
        Conditions {
            if_none_match: headers
                .get(header::IF_NONE_MATCH)
                .map(|value| value.to_str().unwrap_or_default().to_owned()),
            if_modified_since: headers
                .get(header::IF_MODIFIED_SINCE)
                .and_then(|value| value.to_str().ok())
                .and_then(|value| httpdate::parse_http_date(value).ok()),
            range: readable(headers, header::RANGE),
            if_range: readable(headers, header::IF_RANGE),
        }
    }
}

fn readable(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    let value = headers.get(name)?.to_str().ok()?;
    Some(value.to_owned())
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
    fn client_copy_is_fresh(&self, conditions: &Conditions) -> bool {
        if let Some(list) = &conditions.if_none_match {
            return list.split(',').map(str::trim).any(|tag| {
                // A weak tag W/"x" matches "x" for this purpose.
                tag == "*" || tag.trim_start_matches("W/") == self.etag
            });
        }
        match (conditions.if_modified_since, self.modified) {
            // HTTP dates have whole seconds: compare at that precision.
            (Some(since), Some(modified)) => truncate_to_seconds(modified) <= since,
            _ => false,
        }
    }
}

pub(crate) fn truncate_to_seconds(time: SystemTime) -> SystemTime {
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
    fn directory_redirects_stay_on_this_site() {
        assert_eq!(directory_location("/docs", None), "/docs/");
        assert_eq!(directory_location("/docs", Some("a=1")), "/docs/?a=1");
        // Not "//evil.example/", which a browser reads as another host.
        assert_eq!(directory_location("//evil.example", None), "/evil.example/");
        assert_eq!(directory_location("///x//y", None), "/x//y/");
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
