// Mistake: SCRIPT_NAME is the whole path, script and PATH_INFO together.
// A script that builds links from SCRIPT_NAME then points them at the
// wrong place; RFC 3875 splits the path in two.

use crate::ScriptRequest;

pub use cgi_runner::meta::header_variables;
pub use cgi_runner::head::{end_of_head, parse_head};

pub fn request_variables(request: &ScriptRequest) -> Vec<(String, String)> {
    let mut variables = vec![
        ("GATEWAY_INTERFACE".to_string(), "CGI/1.1".to_string()),
        ("SERVER_SOFTWARE".to_string(), request.server_software.clone()),
        ("SERVER_PROTOCOL".to_string(), request.protocol.clone()),
        ("REQUEST_METHOD".to_string(), request.method.clone()),
        ("SCRIPT_NAME".to_string(), format!("{}{}", request.script_name, request.path_info)),
        ("SCRIPT_FILENAME".to_string(), request.script_filename.display().to_string()),
        ("DOCUMENT_ROOT".to_string(), request.document_root.display().to_string()),
        ("SERVER_NAME".to_string(), server_name(request)),
        ("SERVER_PORT".to_string(), request.local_addr.port().to_string()),
        ("REMOTE_ADDR".to_string(), request.peer.ip().to_string()),
        ("REMOTE_HOST".to_string(), request.peer.ip().to_string()),
        ("REMOTE_PORT".to_string(), request.peer.port().to_string()),
    ];
    variables.push(("QUERY_STRING".to_string(), request.query.clone()));
    if !request.path_info.is_empty() {
        variables.push(("PATH_INFO".to_string(), request.path_info.clone()));
        variables.push(("PATH_TRANSLATED".to_string(), format!("{}{}", request.document_root.display(), request.path_info)));
    }
    variables
}

fn server_name(request: &ScriptRequest) -> String {
    match &request.host {
        Some(host) => match host.rsplit_once(':') {
            Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) && (!name.contains(':') || name.ends_with(']')) => name.to_string(),
            _ => host.clone(),
        },
        None => request.local_addr.ip().to_string(),
    }
}
