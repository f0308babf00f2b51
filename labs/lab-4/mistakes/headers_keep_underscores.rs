// Mistake: a name with an underscore is kept. `X_Forwarded_User` and
// `X-Forwarded-User` then both become HTTP_X_FORWARDED_USER, and a client
// can forge a header that only the proxy in front should set.

use crate::HeaderMap;

pub use cgi_runner::meta::request_variables;
pub use cgi_runner::head::{end_of_head, parse_head};

pub fn header_variables(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut variables: Vec<(String, String)> = Vec::new();
    for name in headers.keys() {
        let name = name.as_str();
        if name == "proxy" || name == "authorization" {
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
