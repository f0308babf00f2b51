// Mistake: one variable per header *line*, not per name. A repeated
// header produces the same variable several times, and the last one
// overwrites the others: `Accept: a` + `Accept: b` reaches the script as b.

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
        for value in headers.get_all(name) {
            if let Ok(value) = value.to_str() {
                variables.push((variable.clone(), value.to_string()));
            }
        }
    }
    variables
}
