// Mistake: Content-Type and Content-Length get the HTTP_ prefix like
// every other header. CGI names them CONTENT_TYPE and CONTENT_LENGTH, and
// a script that reads CONTENT_LENGTH bytes of its body now reads none.

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
