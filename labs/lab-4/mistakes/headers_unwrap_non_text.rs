// Mistake: `to_str().unwrap()`. A value with a byte that is not visible
// ASCII (`café` in Latin-1) makes to_str fail, and the unwrap panics inside
// the server: one odd header and the request is a 500.

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
            _ => format!("HTTP_{}", name.to_ascii_uppercase().replace('-', "_")),
        };
        let values: Vec<&str> = headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect();
        variables.push((variable, values.join(", ")));
    }
    variables
}
