// Mistake: a hop-by-hop list that stops at Connection and Keep-Alive. The
// client's Proxy-Authorization (its password for the proxy) then reaches
// the application, with TE, Trailer and Upgrade.

use std::net::IpAddr;

use http::{HeaderMap, HeaderName, HeaderValue};

pub use miniproxy::upstream::balance::choose;

pub fn rewrite_headers(headers: &mut HeaderMap, client: IpAddr) {
    let named: Vec<HeaderName> = headers
        .get_all("connection")
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .filter_map(|n| HeaderName::from_bytes(n.trim_ascii()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    headers.remove("connection");
    headers.remove("keep-alive");
    let mut list: Vec<u8> = Vec::new();
    for existing in headers.get_all("x-forwarded-for") {
        list.extend_from_slice(existing.as_bytes());
        list.extend_from_slice(b", ");
    }
    list.extend_from_slice(client.to_string().as_bytes());
    headers.insert("x-forwarded-for", HeaderValue::from_bytes(&list).unwrap());
}
