// Mistake: compares the names in Connection with the header names as plain
// strings. Header names are stored in lower case, so "X-Trace-Hop" in the
// Connection header never matches "x-trace-hop".

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
    let named: Vec<String> = headers
        .get_all("connection")
        .iter()
        .flat_map(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .split(',')
                .map(|n| n.trim().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    let doomed: Vec<_> = headers
        .keys()
        .filter(|key| named.iter().any(|n| n == key.as_str()))
        .cloned()
        .collect();
    for name in doomed {
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
