//! Forwarding a request to the application server: the reverse proxy.
//!
//! The proxy is a middleman with two connections: one from the browser, one
//! to the upstream. Some headers describe only one of those connections
//! ("hop-by-hop" headers, RFC 9110 §7.6.1) and must not be passed across;
//! others are added so the upstream still learns who the real client was.

use std::net::SocketAddr;
use std::time::Duration;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};
use http::uri::{Authority, Scheme, Uri};
use http::{Request, Response, StatusCode};
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

use crate::response::{text, Body};

/// The name this proxy gives itself in `Via` headers.
const VIA: &str = "1.1 miniproxy";

/// Headers that belong to one connection only. `Connection` may name more.
const HOP_BY_HOP: [&str; 8] = [
    "connection",
    "keep-alive",
    "proxy-connection",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "upgrade",
];
// Transfer-Encoding is hop-by-hop too; hyper removes and re-frames it itself.

/// A connection pool to one upstream application server.
#[derive(Clone)]
pub struct Forwarder {
    client: Client<HttpConnector, Incoming>,
    upstream: Authority,
    timeout: Duration,
}

impl Forwarder {
    pub fn new(upstream: Authority, timeout: Duration) -> Forwarder {
        let mut connector = HttpConnector::new();
        // A dead upstream host should fail fast, not hang the browser.
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            // Close idle pooled connections before the upstream does: Tomcat
            // drops idle keep-alive connections after 20 s by default, and a
            // request sent on a connection the upstream is closing gets a reset.
            .pool_idle_timeout(Duration::from_secs(15))
            .build(connector);
        Forwarder {
            client,
            upstream,
            timeout,
        }
    }

    // ANCHOR: forward
    /// Sends `request` to the upstream and returns its answer, streaming the
    /// bodies both ways. Never fails: a broken upstream becomes a 502 or 504.
    pub async fn forward(&self, request: Request<Incoming>, client: SocketAddr) -> Response<Body> {
        let (mut parts, body) = request.into_parts();

        // 1. Point the request at the upstream, keeping path and query.
        let mut uri = Uri::builder()
            .scheme(Scheme::HTTP)
            .authority(self.upstream.clone());
        if let Some(path_and_query) = parts.uri.path_and_query() {
            uri = uri.path_and_query(path_and_query.clone());
        }
        parts.uri = match uri.build() {
            Ok(uri) => uri,
            Err(error) => return text(StatusCode::BAD_REQUEST, error),
        };

        // 2. Drop what described the browser's connection, not the request.
        remove_hop_by_hop(&mut parts.headers);

        // 3. Tell the upstream who really asked: without this every request
        //    would seem to come from 127.0.0.1, the proxy itself.
        append_forwarded_for(&mut parts.headers, client);
        parts
            .headers
            .insert("x-forwarded-proto", HeaderValue::from_static("http"));
        if let Some(host) = parts.headers.get(header::HOST).cloned() {
            parts.headers.insert("x-forwarded-host", host);
        }
        append(&mut parts.headers, header::VIA, VIA);

        // 4. Send it, but never wait forever for a stuck upstream.
        let sent = self.client.request(Request::from_parts(parts, body));
        let answer = match tokio::time::timeout(self.timeout, sent).await {
            Ok(Ok(answer)) => answer,
            Ok(Err(error)) if error.is_connect() => {
                let reason = format!("cannot connect to upstream {}", self.upstream);
                return text(StatusCode::BAD_GATEWAY, reason);
            }
            Ok(Err(error)) => {
                let reason = format!("upstream {} failed: {error}", self.upstream);
                return text(StatusCode::BAD_GATEWAY, reason);
            }
            Err(_) => {
                let reason = format!("upstream {} did not answer in time", self.upstream);
                return text(StatusCode::GATEWAY_TIMEOUT, reason);
            }
        };

        // 5. The answer crosses the proxy too: same clean-up on the way back.
        let (mut parts, body) = answer.into_parts();
        remove_hop_by_hop(&mut parts.headers);
        append(&mut parts.headers, header::VIA, VIA);
        Response::from_parts(parts, body.map_err(Into::into).boxed())
    }
    // ANCHOR_END: forward
}

/// Removes the fixed hop-by-hop headers and every header the `Connection`
/// header names (`Connection: close, X-Secret` makes X-Secret hop-by-hop).
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        // Bytes, not to_str(): a non-ASCII value must not make us give up.
        .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
        .filter_map(|name| HeaderName::from_bytes(name.trim_ascii()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
}

/// Appends the client's address to X-Forwarded-For. An earlier proxy may have
/// started the list: keep it, in order, and add ours at the end.
fn append_forwarded_for(headers: &mut HeaderMap, client: SocketAddr) {
    let name = HeaderName::from_static("x-forwarded-for");
    append(headers, name, &client.ip().to_string());
}

/// Adds `value` to the end of a comma-separated list header, joining any
/// repeated header lines into one list first.
fn append(headers: &mut HeaderMap, name: HeaderName, value: &str) {
    let mut list: Vec<u8> = Vec::new();
    for existing in headers.get_all(&name) {
        list.extend_from_slice(existing.as_bytes());
        list.extend_from_slice(b", ");
    }
    list.extend_from_slice(value.as_bytes());
    if let Ok(joined) = HeaderValue::from_bytes(&list) {
        headers.insert(name, joined);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_named_headers_are_dropped() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_static("close, X-Secret"));
        headers.insert("x-secret", HeaderValue::from_static("1"));
        headers.insert("keep-alive", HeaderValue::from_static("timeout=5"));
        headers.insert("x-kept", HeaderValue::from_static("yes"));
        remove_hop_by_hop(&mut headers);
        assert_eq!(headers.len(), 1, "{headers:?}");
        assert!(headers.contains_key("x-kept"));
    }

    #[test]
    fn forwarded_for_is_appended_not_replaced() {
        let mut headers = HeaderMap::new();
        headers.append("x-forwarded-for", HeaderValue::from_static("203.0.113.7"));
        headers.append("x-forwarded-for", HeaderValue::from_static("10.0.0.2"));
        append_forwarded_for(&mut headers, "127.0.0.1:5000".parse().unwrap());
        assert_eq!(
            headers.get("x-forwarded-for").unwrap(),
            "203.0.113.7, 10.0.0.2, 127.0.0.1"
        );
    }

    #[test]
    fn non_ascii_header_values_do_not_panic() {
        let mut headers = HeaderMap::new();
        headers.insert("connection", HeaderValue::from_bytes(b"caf\xe9").unwrap());
        headers.insert("x-forwarded-for", HeaderValue::from_bytes(b"\xff").unwrap());
        remove_hop_by_hop(&mut headers);
        append_forwarded_for(&mut headers, "127.0.0.1:5000".parse().unwrap());
        assert_eq!(
            headers.get("x-forwarded-for").unwrap().as_bytes(),
            b"\xff, 127.0.0.1"
        );
    }
}
