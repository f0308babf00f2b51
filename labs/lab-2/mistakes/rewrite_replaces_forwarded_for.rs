// Mistake: sets X-Forwarded-For to the client's address, throwing away the
// addresses an earlier proxy put there. The upstream then believes the last
// proxy was the client.

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
    let named: Vec<HeaderName> = headers
        .get_all("connection")
        .iter()
        .flat_map(|v| v.as_bytes().split(|&b| b == b','))
        .filter_map(|n| HeaderName::from_bytes(n.trim_ascii()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in HOP_BY_HOP {
        headers.remove(name);
    }
    let value = HeaderValue::from_str(&client.to_string()).unwrap();
    headers.insert("x-forwarded-for", value);
}
