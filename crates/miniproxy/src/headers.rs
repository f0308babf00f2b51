//! What the proxy changes in the headers it passes on, and why.
//!
//! The proxy is a middleman with two connections: one from the browser, one
//! to the upstream. Some headers describe only one of those connections
//! ("hop-by-hop" headers, RFC 9110 §7.6.1) and must not be passed across;
//! others are added so the upstream still learns who the real client was,
//! which it could otherwise never know: every request now comes from the
//! proxy's own address.

use std::net::IpAddr;

use http::header::{self, HeaderMap, HeaderName, HeaderValue};

/// The name this proxy gives itself in `Via` headers.
pub const VIA: &str = "1.1 miniproxy";

/// The client's address, and every proxy's before ours (see `append`).
pub const X_FORWARDED_FOR: HeaderName = HeaderName::from_static("x-forwarded-for");
/// `http` or `https`: the scheme the client used.
pub const X_FORWARDED_PROTO: HeaderName = HeaderName::from_static("x-forwarded-proto");
/// The `Host` the client asked for.
pub const X_FORWARDED_HOST: HeaderName = HeaderName::from_static("x-forwarded-host");

// ANCHOR: hop_by_hop_names
/// Whether `name` is one of the headers that belong to one connection
/// only (RFC 9110 §7.6.1). `Connection` may name more. (`Transfer-Encoding`
/// is one too; hyper removes it and frames the body again itself.)
///
/// A `match` on the name's text: every header of every request and answer
/// is asked, and comparing it with each `HeaderName` of a list instead
/// cost about 500 more instructions per proxied request (of 41,600).
pub fn is_hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "upgrade"
    )
}

/// `close` and `keep-alive` in a `Connection` header are options of the
/// connection, not names of headers to remove (`keep-alive` is one, but
/// it is already on the fixed list).
fn is_connection_option(token: &[u8]) -> bool {
    token.eq_ignore_ascii_case(b"close") || token.eq_ignore_ascii_case(b"keep-alive")
}
// ANCHOR_END: hop_by_hop_names

// ANCHOR: rewrite_request_headers
/// Prepares a request's headers for the upstream: drops what described the
/// client's connection, and appends the client's address to
/// `X-Forwarded-For`.
pub fn rewrite_request_headers(headers: &mut HeaderMap, client: IpAddr) {
    remove_hop_by_hop(headers);
    append(headers, X_FORWARDED_FOR, address_value(client));
}
// ANCHOR_END: rewrite_request_headers

// ANCHOR: remove_hop_by_hop
/// Removes the fixed hop-by-hop headers and every header the `Connection`
/// header names (`Connection: close, X-Secret` makes X-Secret hop-by-hop).
pub fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        // Bytes, not to_str(): a non-ASCII value must not make us give up.
        .flat_map(|value| value.as_bytes().split(|&byte| byte == b','))
        // `close` and `keep-alive`, the usual values, name nothing to add.
        .filter(|name| !is_connection_option(name.trim_ascii()))
        .filter_map(|name| HeaderName::from_bytes(name.trim_ascii()).ok())
        .collect();
    // One pass over the headers there are (a handful, usually) finds the
    // ones to remove: cheaper than a lookup for every name on the lists.
    let hop_by_hop: Vec<HeaderName> = headers
        .keys()
        .filter(|name| is_hop_by_hop(name) || named.contains(name))
        .cloned()
        .collect();
    for name in hop_by_hop {
        headers.remove(name);
    }
}
// ANCHOR_END: remove_hop_by_hop

/// `client` as a header value: the text of `client.to_string()`.
///
/// Every proxied request formats its client's address, and Rust's general
/// formatting machinery (`Display`, padding, a `String` that grows) costs
/// about 1,400 instructions for an IPv4 address: 3 % of all the work of a
/// proxied request here (`bash bench/instructions.sh`). Four numbers and
/// three dots written by hand cost a tenth of that.
pub fn address_value(client: IpAddr) -> HeaderValue {
    let mut text = Vec::with_capacity(15);
    match client {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    text.push(b'.');
                }
                if octet >= 100 {
                    text.push(b'0' + octet / 100);
                }
                if octet >= 10 {
                    text.push(b'0' + octet / 10 % 10);
                }
                text.push(b'0' + octet % 10);
            }
        }
        // Rarer, and with its own rules (`::` for zeros, an embedded IPv4).
        IpAddr::V6(v6) => text.extend_from_slice(v6.to_string().as_bytes()),
    }
    // Digits, dots, colons and hex letters are always a valid value.
    HeaderValue::from_maybe_shared(bytes::Bytes::from(text))
        .unwrap_or_else(|_| HeaderValue::from_static("unknown"))
}

/// Adds `value` to the end of a comma-separated list header, joining any
/// repeated header lines into one list first (an earlier proxy may have
/// started the list: keep it, in order, and add ours at the end).
pub fn append(headers: &mut HeaderMap, name: HeaderName, value: HeaderValue) {
    if !headers.contains_key(&name) {
        // The usual case, the first hop: nothing to join.
        headers.insert(name, value);
        return;
    }
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

/// One element of the standard `Forwarded` header (RFC 7239), which says in
/// one header what the three `X-Forwarded-*` headers say in three:
/// `for="[2001:db8::1]";proto=http;host="example.com:8080"`. An IPv6
/// address and a host with a port must be quoted.
pub fn forwarded_element(client: IpAddr, proto: &str, host: Option<&HeaderValue>) -> String {
    let for_ = match client {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => format!("\"[{v6}]\""),
    };
    let mut element = format!("for={for_};proto={proto}");
    if let Some(host) = host.and_then(|h| h.to_str().ok()) {
        let quoted = host.replace('\\', "\\\\").replace('"', "\\\"");
        element.push_str(&format!(";host=\"{quoted}\""));
    }
    element
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
        rewrite_request_headers(&mut headers, "127.0.0.1".parse().unwrap());
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
        rewrite_request_headers(&mut headers, "127.0.0.1".parse().unwrap());
        assert_eq!(
            headers.get("x-forwarded-for").unwrap().as_bytes(),
            b"\xff, 127.0.0.1"
        );
    }

    #[test]
    fn an_address_value_is_the_address_as_text() {
        for address in [
            "0.0.0.0",
            "9.10.99.100",
            "127.0.0.1",
            "192.168.100.7",
            "255.255.255.255",
            "::1",
            "2001:db8::7",
            "::ffff:192.0.2.1",
        ] {
            let ip: IpAddr = address.parse().unwrap();
            assert_eq!(address_value(ip), address, "{address}");
        }
        // Every IPv4 octet, in every position.
        for octet in 0..=255u8 {
            let ip = IpAddr::from([octet, 255 - octet, octet / 2, 7]);
            assert_eq!(address_value(ip).to_str().unwrap(), ip.to_string());
        }
    }

    #[test]
    fn forwarded_quotes_ipv6_and_hosts() {
        let host = HeaderValue::from_static("example.com:8080");
        assert_eq!(
            forwarded_element("192.0.2.7".parse().unwrap(), "http", Some(&host)),
            "for=192.0.2.7;proto=http;host=\"example.com:8080\""
        );
        assert_eq!(
            forwarded_element("2001:db8::1".parse().unwrap(), "http", None),
            "for=\"[2001:db8::1]\";proto=http"
        );
    }
}
