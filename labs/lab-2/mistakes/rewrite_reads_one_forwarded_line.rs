// Mistake: reads X-Forwarded-For with get(), which returns only the first
// line, so the second proxy's address is lost when the header came twice.

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
    let value = match headers.get("x-forwarded-for") {
        Some(earlier) => format!("{}, {client}", String::from_utf8_lossy(earlier.as_bytes())),
        None => client.to_string(),
    };
    headers.insert("x-forwarded-for", HeaderValue::from_str(&value).unwrap());
}
