//! Checking a request before anything acts on it.
//!
//! hyper has already parsed the request; what it lets through is still up
//! to us. Three rules from RFC 9112 §3.2, and one size limit:
//!
//! | request                                   | answer                       |
//! |-------------------------------------------|------------------------------|
//! | a header line over 8 KiB                  | 431, before the app sees it  |
//! | a request target over 8 KiB               | 414                          |
//! | HTTP/1.1 without `Host`                   | 400                          |
//! | two `Host` headers, or one that is no host | 400                         |
//! | `GET http://example.com/x` (absolute-form) | `Host` becomes `example.com` |
//!
//! Why be strict about `Host`? It decides which site a request is for
//! (virtual hosts, chapter 3), and it is passed on to the application. With
//! two of them, the proxy might route by one while the application trusts
//! the other: a classic way to reach a site one should not, or to poison a
//! cache. One `Host` and one meaning, or no service.
//!
//! In absolute-form the request line itself names the host, and the RFC
//! says that name wins over any `Host` header; we make the header agree, so
//! everything after this point (routing, forwarding, the application) sees
//! one host.

use http::header::{HeaderValue, HOST};
use http::uri::Authority;
use http::{Request, Response, StatusCode, Version};

use crate::limits::MAX_HEADER_LINE;
use crate::response::{text, Body};

/// Why a request is not served: its status and a one-line reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    pub status: StatusCode,
    pub why: String,
}

impl Refused {
    fn new(status: StatusCode, why: impl std::fmt::Display) -> Refused {
        Refused {
            status,
            why: why.to_string(),
        }
    }

    /// The short plain-text answer, e.g. `400 Bad Request: more than one
    /// Host header`.
    pub fn response(&self) -> Response<Body> {
        text(self.status, &self.why)
    }
}

// ANCHOR: validate
/// Checks `request`, and fixes its `Host` for absolute-form.
pub fn request<B>(request: &mut Request<B>) -> Result<(), Refused> {
    let target = request.uri();
    let target_length = [
        target.scheme_str().map_or(0, str::len),
        target.authority().map_or(0, |a| a.as_str().len()),
        target.path_and_query().map_or(0, |p| p.as_str().len()),
    ]
    .iter()
    .sum::<usize>();
    if target_length > MAX_HEADER_LINE {
        return Err(Refused::new(
            StatusCode::URI_TOO_LONG,
            format_args!("the request target is longer than {MAX_HEADER_LINE} bytes"),
        ));
    }
    for (name, value) in request.headers() {
        // `Name: value`, as it was on the wire.
        if name.as_str().len() + 2 + value.len() > MAX_HEADER_LINE {
            return Err(Refused::new(
                StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
                format_args!("the {name} header is longer than {MAX_HEADER_LINE} bytes"),
            ));
        }
    }

    let mut hosts = request.headers().get_all(HOST).iter();
    let host = hosts.next();
    if hosts.next().is_some() {
        return Err(bad_request("more than one Host header"));
    }
    match host {
        None if request.version() == Version::HTTP_11 => {
            return Err(bad_request("HTTP/1.1 requires a Host header"));
        }
        // An empty Host is allowed: it says "this target has no host".
        Some(host) if !host.is_empty() && !is_host(host) => {
            return Err(bad_request("the Host header is not a host[:port]"));
        }
        _ => {}
    }

    if let Some(authority) = request.uri().authority() {
        let named = host_of(authority);
        request.headers_mut().insert(HOST, named);
    }
    Ok(())
}
// ANCHOR_END: validate

fn bad_request(why: &str) -> Refused {
    Refused::new(StatusCode::BAD_REQUEST, why)
}

/// `example.com`, `127.0.0.1:8080`, `[::1]:80`; no path, no user, no spaces.
fn is_host(value: &HeaderValue) -> bool {
    match Authority::try_from(value.as_bytes()) {
        Ok(authority) => !authority.as_str().contains('@'),
        Err(_) => false,
    }
}

/// The `Host` an absolute-form target names: its host and port, without
/// any `user:password@` in front (which never belongs in `Host`).
fn host_of(authority: &Authority) -> HeaderValue {
    let host = match authority.port() {
        Some(port) => format!("{}:{port}", authority.host()),
        None => authority.host().to_owned(),
    };
    // Built from a parsed authority: always a valid header value.
    HeaderValue::from_str(&host).unwrap_or_else(|_| HeaderValue::from_static(""))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(raw: Request<()>) -> Result<Request<()>, StatusCode> {
        let mut raw = raw;
        request(&mut raw).map(|()| raw).map_err(|r| r.status)
    }

    #[test]
    fn absolute_form_userinfo_stays_out_of_host() {
        let checked = check(
            Request::get("http://user:pw@example.com:81/x")
                .header(HOST, "other")
                .body(())
                .unwrap(),
        )
        .unwrap();
        assert_eq!(checked.headers()[HOST], "example.com:81");
    }

    #[test]
    fn a_host_with_a_path_or_user_is_refused() {
        for host in ["a b", "example.com/x", "user@example.com"] {
            let request = Request::get("/").header(HOST, host).body(()).unwrap();
            assert_eq!(
                check(request).unwrap_err(),
                StatusCode::BAD_REQUEST,
                "{host}"
            );
        }
    }
}
