// Mistake (httpoxy): the Proxy header becomes HTTP_PROXY. Most HTTP
// libraries (Python's requests, Go's net/http, curl) read HTTP_PROXY as
// "send my requests through this proxy", so any client can route the
// script's outgoing calls, API keys and all, through its own server.

use crate::HeaderMap;

pub use cgi_runner::meta::request_variables;
pub use cgi_runner::head::{end_of_head, parse_head};

pub fn header_variables(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut variables: Vec<(String, String)> = Vec::new();
    for name in headers.keys() {
        let name = name.as_str();
        if name == "authorization" || name.contains('_') {
            continue;
        }
        let variable = match name {
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
