// Mistake: reads the Connection header with to_str(), and returns early
// when a value is not ASCII, so nothing after it is cleaned or appended.

use std::net::IpAddr;

use http::{HeaderMap, HeaderName, HeaderValue};

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
    let mut named = Vec::new();
    for value in headers.get_all("connection") {
        let Ok(text) = value.to_str() else {
            return;
        };
        for name in text.split(',') {
            if let Ok(name) = HeaderName::from_bytes(name.trim().as_bytes()) {
                named.push(name);
            }
        }
    }
    for name in named {
        headers.remove(name);
    }
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
