//! The request, told to a script: CGI meta-variables (RFC 3875 §4.1).
//!
//! A CGI script is an ordinary program. It cannot read a socket or parse
//! HTTP; everything it learns about the request arrives as *environment
//! variables*, the same `KEY=value` strings a shell passes to every program
//! it starts, plus the body on standard input. That is the whole "interface"
//! in Common Gateway Interface, and it is why a CGI script can be written in
//! any language that can read its environment: sh, Perl, Python, C.
//!
//! Two functions build that environment, kept apart on purpose because they
//! answer different questions:
//!
//! * [`request_variables`]: what the *server* knows about the request (who
//!   asked, on which port, which script, what came after it in the path);
//! * [`header_variables`]: what the *client* said, in its header lines,
//!   renamed to `HTTP_*`. This is the half an attacker controls, and the
//!   half where httpoxy lives.
//!
//! Neither copies anything from the server's own environment: the server
//! starts each script with an empty environment plus a short allow-list
//! (see `script.rs`), then adds exactly these.

use std::net::SocketAddr;
use std::path::PathBuf;

use http::HeaderMap;

/// What the server knows about one request once it has found the script.
/// The engine fills this in; the functions below only read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptRequest {
    /// `GET`, `POST`, …
    pub method: String,
    /// `HTTP/1.1` (or `HTTP/1.0`).
    pub protocol: String,
    /// The URL path that names the script, decoded: `/cgi-bin/env.sh`.
    pub script_name: String,
    /// What followed the script in the URL path, decoded: `/a/b`, or empty.
    pub path_info: String,
    /// The query string exactly as sent, without the `?`; empty when none.
    pub query: String,
    /// The `Host` header's value (`example.com:8080`), when the client sent one.
    pub host: Option<String>,
    /// The address and port the server accepted the connection on.
    pub local_addr: SocketAddr,
    /// The client's address and port.
    pub peer: SocketAddr,
    /// The script's absolute path on disk.
    pub script_filename: PathBuf,
    /// The directory the server serves scripts from (absolute).
    pub document_root: PathBuf,
    /// Names the server: `cgi-runner/0.1.0`.
    pub server_software: String,
}

// ANCHOR: request_variables
/// The meta-variables the server knows by itself (RFC 3875 §4.1), in a fixed
/// order so a script's `env` output is easy to read.
pub fn request_variables(request: &ScriptRequest) -> Vec<(String, String)> {
    let mut variables = vec![
        ("GATEWAY_INTERFACE", "CGI/1.1".to_string()),
        ("SERVER_SOFTWARE", request.server_software.clone()),
        ("SERVER_PROTOCOL", request.protocol.clone()),
        ("SERVER_NAME", server_name(request)),
        ("SERVER_PORT", request.local_addr.port().to_string()),
        ("REQUEST_METHOD", request.method.clone()),
        ("SCRIPT_NAME", request.script_name.clone()),
        (
            "SCRIPT_FILENAME",
            request.script_filename.display().to_string(),
        ),
        ("DOCUMENT_ROOT", request.document_root.display().to_string()),
        // Always set, even empty: a script may read it unconditionally.
        ("QUERY_STRING", request.query.clone()),
        ("REMOTE_ADDR", request.peer.ip().to_string()),
        // No DNS lookup per request (Apache's `HostnameLookups Off`):
        // RFC 3875 §4.1.9 lets the server give the address instead.
        ("REMOTE_HOST", request.peer.ip().to_string()),
        ("REMOTE_PORT", request.peer.port().to_string()),
    ];
    // Only when the URL had something after the script: an empty PATH_INFO
    // and a missing one mean different things to some scripts.
    if !request.path_info.is_empty() {
        let translated = format!("{}{}", request.document_root.display(), request.path_info);
        variables.push(("PATH_INFO", request.path_info.clone()));
        variables.push(("PATH_TRANSLATED", translated));
    }
    variables
        .into_iter()
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// SERVER_NAME: the host the client asked for, without its port; the
/// address it connected to when it named none.
fn server_name(request: &ScriptRequest) -> String {
    match request.host.as_deref() {
        Some(host) if !host.is_empty() => {
            // `[::1]:8080` keeps its brackets; only a trailing `:digits` goes.
            match host.rsplit_once(':') {
                Some((name, port))
                    if !name.is_empty()
                        && !port.is_empty()
                        && port.bytes().all(|b| b.is_ascii_digit())
                        && (!name.contains(':') || name.ends_with(']')) =>
                {
                    name.to_string()
                }
                _ => host.to_string(),
            }
        }
        _ => request.local_addr.ip().to_string(),
    }
}
// ANCHOR_END: request_variables

// ANCHOR: header_variables
/// The client's header lines as meta-variables: `User-Agent` becomes
/// `HTTP_USER_AGENT`; repeated headers are joined with `", "` into one
/// variable (in the order received); `Content-Type` and `Content-Length`
/// become `CONTENT_TYPE` and `CONTENT_LENGTH`, without the prefix.
///
/// Some headers never reach the script:
/// - `Proxy` (httpoxy): as `HTTP_PROXY` it would look exactly like the
///   variable that tells HTTP libraries which proxy to use, and the
///   script's outgoing requests would go through the attacker's proxy;
/// - `Authorization`: credentials stay with the server (RFC 3875 §4.1.18);
/// - a name with an underscore (`X_User`): once `-` becomes `_` it would be
///   the same variable as `X-User`, and a client could spoof a header that a
///   proxy in front set. Apache 2.4 and nginx drop them too;
/// - a value that is not visible text (`to_str` fails).
pub fn header_variables(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut variables: Vec<(String, String)> = Vec::new();
    // `keys()` gives each name once; `get_all` gives all its values.
    for name in headers.keys() {
        let name = name.as_str(); // always lower case in a HeaderMap
        let variable = match name {
            "proxy" | "authorization" => continue,
            _ if name.contains('_') => continue,
            "content-type" => "CONTENT_TYPE".to_string(),
            "content-length" => "CONTENT_LENGTH".to_string(),
            _ => format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_")),
        };
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .collect();
        if !values.is_empty() {
            variables.push((variable, values.join(", ")));
        }
    }
    variables
}
// ANCHOR_END: header_variables

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: Option<&str>) -> ScriptRequest {
        ScriptRequest {
            method: "GET".into(),
            protocol: "HTTP/1.1".into(),
            script_name: "/env.sh".into(),
            path_info: String::new(),
            query: String::new(),
            host: host.map(str::to_string),
            local_addr: "127.0.0.1:8088".parse().unwrap(),
            peer: "127.0.0.1:50000".parse().unwrap(),
            script_filename: "/srv/cgi/env.sh".into(),
            document_root: "/srv/cgi".into(),
            server_software: "cgi-runner/test".into(),
        }
    }

    fn value(variables: &[(String, String)], name: &str) -> Option<String> {
        variables
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.clone())
    }

    #[test]
    fn server_name_drops_only_a_port() {
        for (host, name) in [
            (Some("example.com:8080"), "example.com"),
            (Some("example.com"), "example.com"),
            (Some("[::1]:8080"), "[::1]"),
            (Some("[::1]"), "[::1]"),
            (None, "127.0.0.1"),
        ] {
            let variables = request_variables(&request(host));
            assert_eq!(value(&variables, "SERVER_NAME").as_deref(), Some(name));
        }
    }

    #[test]
    fn repeated_headers_are_joined_and_proxy_is_dropped() {
        let mut headers = HeaderMap::new();
        headers.append("accept", "text/html".parse().unwrap());
        headers.append("accept", "text/plain".parse().unwrap());
        headers.append("proxy", "http://evil.example".parse().unwrap());
        headers.append("content-type", "text/plain".parse().unwrap());
        let variables = header_variables(&headers);
        assert_eq!(
            value(&variables, "HTTP_ACCEPT").as_deref(),
            Some("text/html, text/plain")
        );
        assert_eq!(value(&variables, "HTTP_PROXY"), None);
        assert_eq!(
            value(&variables, "CONTENT_TYPE").as_deref(),
            Some("text/plain")
        );
    }
}
