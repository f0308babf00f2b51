//! The pages demo-was serves, one small function each.
//!
//! They only build the text of an answer. Choosing which page a request gets,
//! and wrapping the text in an HTTP response, is the job of `app.rs` — keeping
//! the two apart means each page can be read (and tested) on its own.

use std::convert::Infallible;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use futures_util::{future, stream, StreamExt};
use http::HeaderMap;
use http_body_util::StreamBody;
use hyper::body::{Body, Frame};

/// The greeting at `/` and `/hello`: the "dynamic page" of chapter 1.
///
/// Two things in it could never come from a file on disk: the `name` you
/// sent, and `count`, which goes up with every greeting this process serves.
/// Reload the page and the number changes — the server computed a new answer.
/// Put two copies behind a load balancer and each keeps its own count, which
/// is also the first hint that state inside one process is not shared.
// ANCHOR: greeting
pub fn greeting(name: &str, profile: &str, count: u64) -> String {
    format!("Hello, {name}! This is demo-was (profile {profile}), request #{count}\n")
}
// ANCHOR_END: greeting

/// `/time`: the current time as an HTTP date, e.g.
/// `Sun, 06 Nov 1994 08:49:37 GMT` — always in UTC (HTTP calls it GMT).
///
/// It is the same format as the `Date` header every HTTP response carries,
/// so you can compare the two in `curl -i` output.
pub fn time(now: SystemTime) -> String {
    format!("{}\n", httpdate::fmt_http_date(now))
}

/// `/headers`: the request's headers, one `name: value` per line, sorted by
/// name.
///
/// This is the page that shows what a proxy changes on the way in. Call it
/// directly and you see what curl sent; call it through a reverse proxy and
/// new lines appear — `x-forwarded-for`, `x-forwarded-proto`, `via` — and
/// `host` may change.
///
/// A header value may legally hold bytes that are not valid UTF-8 (old
/// clients send Latin-1). We show those as `�` instead of failing: echoing
/// the request must never crash on what the request contains.
// ANCHOR: echo_headers
pub fn headers(headers: &HeaderMap) -> String {
    let mut lines: Vec<(&str, String)> = headers
        .iter()
        .map(|(name, value)| {
            // hyper hands us names in lower case: HTTP/1.1 header names are
            // case-insensitive, so `Host` and `host` are the same header.
            (
                name.as_str(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    // A stable sort keeps repeated headers (two `x-forwarded-for` lines, say)
    // in the order the client sent them; that order carries meaning.
    lines.sort_by(|a, b| a.0.cmp(b.0));
    lines
        .iter()
        .map(|(name, value)| format!("{name}: {value}\n"))
        .collect()
}
// ANCHOR_END: echo_headers

/// `/health`: what a load balancer or the blue/green switcher polls to ask
/// "can you take traffic?". The body is the same one Spring Boot Actuator
/// answers with, so scripts written for one work with the other.
pub const HEALTH_UP: &str = r#"{"status":"UP"}"#;

/// The longest `/slow` wait we accept. It stays well below
/// [`GRACE_PERIOD`](crate::GRACE_PERIOD), so a slow request can always
/// finish during a graceful shutdown.
pub const SLOW_MAX: Duration = Duration::from_secs(10);

/// The wait `/slow` uses when the request does not say.
pub const SLOW_DEFAULT: Duration = Duration::from_secs(1);

/// `/slow?ms=N`: a request that stays *in flight* for N milliseconds.
///
/// The first line of the body goes out at once, the last one after the wait.
/// Start one with `curl -N`, stop or switch the server while it runs, and
/// watch what happens to it — a graceful shutdown lets it finish; a killed
/// process cuts it off mid-answer. That difference is what zero-downtime
/// deploys are about.
///
/// The body is a stream of two pieces: the first is ready at once, the
/// second only after a timer fires. hyper sends each piece as it arrives
/// (chunked encoding), so the client really sees the pause.
// ANCHOR: slow
pub fn slow(wait: Duration, profile: &str) -> impl Body<Data = Bytes, Error = Infallible> + Send {
    let ms = wait.as_millis();
    let first = format!("started; answering in {ms} ms\n");
    let last = format!("done after {ms} ms (profile {profile})\n");
    let pieces = stream::once(future::ready(first)).chain(stream::once(async move {
        tokio::time::sleep(wait).await;
        last
    }));
    StreamBody::new(pieces.map(|text| Ok(Frame::data(Bytes::from(text)))))
}
// ANCHOR_END: slow

/// `/blocking?ms=N`: the same wait as `/slow`, written the blocking way:
/// the thread sleeps, the way a call into a database driver without async
/// would hold it. demo-was runs it in a worker slot (`workers.rs`), never
/// on a runtime thread.
pub fn blocking(wait: Duration, profile: &str) -> String {
    std::thread::sleep(wait);
    format!(
        "blocked a worker thread for {} ms (profile {profile})\n",
        wait.as_millis()
    )
}

/// `/workers`: the worker slots' numbers, one per line.
pub fn workers(stats: &crate::workers::Stats) -> String {
    format!(
        "slots: {}\nbusy: {}\nfree: {}\nmost busy at once: {}\n\
         arrived: {}\nstarted: {}\nanswered: {}\nabandoned: {}\n",
        stats.size,
        stats.busy,
        stats.free,
        stats.most_busy,
        stats.arrived,
        stats.started,
        stats.answered,
        stats.abandoned
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use http::HeaderValue;

    #[test]
    fn greeting_names_everything() {
        assert_eq!(
            greeting("X", "blue", 3),
            "Hello, X! This is demo-was (profile blue), request #3\n"
        );
    }

    #[test]
    fn time_is_an_http_date() {
        let epoch = SystemTime::UNIX_EPOCH;
        assert_eq!(time(epoch), "Thu, 01 Jan 1970 00:00:00 GMT\n");
    }

    #[test]
    fn headers_are_sorted_and_repeats_keep_their_order() {
        let mut map = HeaderMap::new();
        map.insert("x-b", HeaderValue::from_static("2"));
        map.append("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        map.append("x-forwarded-for", HeaderValue::from_static("10.0.0.1"));
        map.insert("host", HeaderValue::from_static("example.test"));
        assert_eq!(
            headers(&map),
            "host: example.test\nx-b: 2\nx-forwarded-for: 203.0.113.7\nx-forwarded-for: 10.0.0.1\n"
        );
    }

    #[test]
    fn non_utf8_header_values_are_shown_lossily() {
        let mut map = HeaderMap::new();
        map.insert("x-latin1", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        assert_eq!(headers(&map), "x-latin1: caf\u{FFFD}\n");
    }
}
