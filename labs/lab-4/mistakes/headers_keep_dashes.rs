// Mistake: the dashes stay: `X-Request-Id` becomes HTTP_X-REQUEST-ID,
// a variable no shell can even name, and not the HTTP_X_REQUEST_ID every
// CGI library looks for.

use crate::HeaderMap;

pub use cgi_runner::meta::request_variables;
pub use cgi_runner::head::{end_of_head, parse_head};

pub fn header_variables(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut variables: Vec<(String, String)> = Vec::new();
    for name in headers.keys() {
        let name = name.as_str();
        if name == "proxy" || name == "authorization" || name.contains('_') {
            continue;
        }
        let variable = match name {
            "content-type" => "CONTENT_TYPE".to_string(),
            "content-length" => "CONTENT_LENGTH".to_string(),
            _ => format!("HTTP_{}", name.to_ascii_uppercase()),
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
