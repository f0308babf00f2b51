// Mistake: removes the fixed hop-by-hop headers but not the ones the
// Connection header names, so a header meant for one hop crosses the proxy.

use std::net::IpAddr;

use http::{HeaderMap, HeaderValue};

pub use miniproxy::upstream::balance::choose;

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

pub fn rewrite_headers(headers: &mut HeaderMap, client: IpAddr) {
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    let mut list: Vec<u8> = Vec::new();
    for existing in headers.get_all("x-forwarded-for") {
        list.extend_from_slice(existing.as_bytes());
        list.extend_from_slice(b", ");
    }
    list.extend_from_slice(client.to_string().as_bytes());
    headers.insert("x-forwarded-for", HeaderValue::from_bytes(&list).unwrap());
}
