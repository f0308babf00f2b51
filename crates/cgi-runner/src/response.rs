//! The one response body type, and short text answers.
//!
//! The same boxed body as miniproxy's (`BoxBody<Bytes, BoxError>`), so a
//! server that mounts this crate as a route can return its answers as they
//! are.

use bytes::Bytes;
use http::{header, HeaderValue, Response, StatusCode};
use http_body_util::{combinators::BoxBody, BodyExt, Full};

/// Any error a body stream can end with.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response body: bytes that arrive a chunk at a time.
pub type Body = BoxBody<Bytes, BoxError>;

/// A body that is already complete in memory.
pub fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into())
        .map_err(|never| match never {})
        .boxed()
}

/// A short plain-text answer such as `502 Bad Gateway: …`: one line a
/// person reading `curl -i` understands, and nothing a script said.
pub fn text(status: StatusCode, message: impl std::fmt::Display) -> Response<Body> {
    let reason = status.canonical_reason().unwrap_or("");
    let body = format!("{} {reason}: {message}\n", status.as_u16());
    let mut response = Response::new(full(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
