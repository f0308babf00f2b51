//! The one response body type the whole server uses, and short text answers.
//!
//! A static file streams from disk and a proxied answer streams from the
//! upstream; both become the same boxed body so one handler can return either.

use bytes::Bytes;
use http::{header, Response, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full};

/// Any error a body stream can end with (a disk read, a broken upstream).
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response body: bytes that arrive a chunk at a time.
pub type Body = BoxBody<Bytes, BoxError>;

/// A body that is already complete in memory.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// An empty body, for 304 Not Modified and HEAD answers.
pub fn empty() -> Body {
    full(Bytes::new())
}

/// A short plain-text answer such as `404 Not Found: /missing.css`.
///
/// Error pages say what went wrong in one line, so a learner reading
/// `curl -i` output sees the reason without opening a log.
pub fn text(status: StatusCode, message: impl std::fmt::Display) -> Response<Body> {
    let reason = status.canonical_reason().unwrap_or("");
    let body = format!("{} {reason}: {message}\n", status.as_u16());
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
