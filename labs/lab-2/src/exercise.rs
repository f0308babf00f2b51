//! Lab 2: two decisions of the reverse proxy.
//!
//! This is the only file you edit. Run `cargo test -p lab-2` to grade it,
//! `cargo run -p workbook -- hint 2 rewrite_headers` (or `choose`) for a
//! hint, and `cargo run -p workbook -- watch 2` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use std::net::IpAddr;

use http::HeaderMap;

use crate::{Candidate, Strategy};

/// Prepares the headers of a request for the application server.
/// (Chapter 2, "What crosses the proxy")
///
/// `headers` are the client's request headers (an `http::HeaderMap`: names
/// are case-insensitive and stored in lower case; a name can appear on
/// several lines, `get_all` returns them all). `client` is the address the
/// connection came from. Change `headers` in place:
/// - Remove the hop-by-hop headers, which describe the client's connection
///   and not the request: `connection`, `keep-alive`, `proxy-connection`,
///   `proxy-authenticate`, `proxy-authorization`, `te`, `trailer`,
///   `upgrade`.
/// - Also remove every header *named* in the `Connection` header's value: a
///   comma-separated list of header names, in any case, with spaces around
///   them (`Connection: close, X-Trace-Hop` makes `x-trace-hop` hop-by-hop).
///   A value may hold bytes that are not ASCII: skip what is not a valid
///   header name, never panic and never give up on the rest.
/// - Append `client` to `X-Forwarded-For`: the header becomes one line, the
///   values already there (from every line, in order) then `, ` then the
///   client's address. Without the header, it is just the address.
///
/// Everything else passes unchanged. The proxy adds `X-Forwarded-Proto`,
/// `X-Forwarded-Host` and `Via` itself, after your function.
pub fn rewrite_headers(headers: &mut HeaderMap, client: IpAddr) {
    todo!("lab 2: drop the hop-by-hop headers and append the client to X-Forwarded-For")
}

/// Picks which upstream of the pool answers the next request.
/// (Chapter 2, "Spreading the load")
///
/// `candidates[i]` describes upstream `i`: `healthy` (bool), `active`
/// (usize, requests in flight on it) and `weight` (u32, at least 1).
/// `turn` counts the pool's requests: 0, 1, 2, … Return `Some(i)` of a
/// *healthy* candidate, or `None` when none is healthy.
/// - `Strategy::RoundRobin`: the healthy candidates take turns in order,
///   each getting `weight` consecutive turns out of every `sum of the
///   healthy weights`: slot `turn % total` falls in one candidate's range.
///   Weights 2, 1, 1 give 0, 0, 1, 2, 0, 0, 1, 2, …
/// - `Strategy::LeastConnections`: among the healthy, the ones with the
///   fewest requests in flight for their weight (`active / weight`, compared
///   without rounding); among those tied, take turns exactly as round-robin
///   does (with `turn`), so a quiet pool still spreads its requests.
pub fn choose(strategy: Strategy, candidates: &[Candidate], turn: u64) -> Option<usize> {
    todo!("lab 2: pick a healthy candidate by round-robin or least-connections")
}
