//! What one client may cost the server, at most.
//!
//! A server that lets each client decide how much memory it uses can be
//! taken down by a few of them. Measured on miniproxy before these limits:
//! 1000 connections, each sending 400 KB of headers that never end, took
//! its memory to 470 MB (hyper's default read buffer is about 400 KB per
//! connection), and a single 500 KB header line was read and served. So:
//!
//! * a request head (request line and headers) must fit in
//!   [`MAX_REQUEST_HEAD`], which is also as large as a connection's read
//!   buffer may grow; beyond it hyper answers `431` and closes;
//! * one header line must fit in [`MAX_HEADER_LINE`] (checked in
//!   [`crate::validate`]): `431` with a short body, before the application
//!   ever sees it;
//! * at most [`MAX_CONNECTIONS`] connections are served at once; more wait
//!   in the kernel's queue until one closes (`serverkit::Server::max_connections`).
//!
//! nginx's equivalents: `large_client_header_buffers 4 8k` (a line must fit
//! one 8 KiB buffer, the head four of them) and `worker_connections`.

use hyper::server::conn::http1;

/// The longest header line (`Name: value`) a request may carry, like
/// nginx's 8 KiB buffers. Real headers are far shorter; big cookies come
/// closest, at a few KiB.
pub const MAX_HEADER_LINE: usize = 8 * 1024;

/// The largest request head, and the largest a connection's read buffer
/// grows: 32 KiB, four of nginx's header buffers.
pub const MAX_REQUEST_HEAD: usize = 32 * 1024;

/// How many connections are served at once. Each costs at most about
/// [`MAX_REQUEST_HEAD`] of buffer and two file descriptors (the client's and,
/// for a proxied request, the upstream's), so 1024 connections stay within
/// tens of MB and 2048 descriptors. nginx's default `worker_connections` is
/// 512 per worker process.
pub const MAX_CONNECTIONS: usize = 1024;

/// Applies the head limit to hyper's HTTP/1 settings.
///
/// Two settings, because each alone leaves a gap: `max_buf_size` caps the
/// memory a connection's read buffer may take, but one read can bring
/// more than the cap, and a head that arrives whole is parsed anyway;
/// `max_header_size` checks the parsed head's exact size.
pub fn bound_request_head(http: &mut http1::Builder) {
    http.max_buf_size(MAX_REQUEST_HEAD);
    http.max_header_size(MAX_REQUEST_HEAD);
}
