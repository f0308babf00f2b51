// Mistake: the first three characters are the code, whatever follows
// and whatever their value: `2000` passes as 200, `700` as a status.

use crate::{BadHead, Reply};

pub use cgi_runner::head::end_of_head;
pub use cgi_runner::meta::{header_variables, request_variables};

pub fn parse_head(head: &str) -> Result<Reply, BadHead> {
    let mut status = None;
    let mut location = None;
    let mut has_content_type = false;
    let mut headers = Vec::new();
    for line in head.lines() {
        let (name, value) = line
            .split_once(':')
            .filter(|(name, _)| is_token(name))
            .ok_or_else(|| BadHead::NotAHeader(line.to_string()))?;
        let value = value.trim_matches([' ', '\t']);
        if name.eq_ignore_ascii_case("status") {
            status = Some(parse_status(value)?);
            
        } else if name.eq_ignore_ascii_case("location") {
            location = Some(value.to_string());
        } else {
            has_content_type |= name.eq_ignore_ascii_case("content-type");
            headers.push((name.to_string(), value.to_string()));
        }
    }
    match location {
        Some(path) if path.starts_with('/') && !path.starts_with("//") => Ok(Reply::LocalRedirect { path }),
        Some(url) if url.contains("://") => Ok(Reply::ClientRedirect {
            location: url,
            status: status.unwrap_or(302),
            headers,
        }),
        Some(other) => Err(BadHead::BadLocation(other)),
        None if !has_content_type => Err(BadHead::NoContentType),
        None => Ok(Reply::Document {
            status: status.unwrap_or(200),
            headers,
        }),
    }
}

fn parse_status(value: &str) -> Result<u16, BadHead> {
    value
        .get(..3)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| BadHead::BadStatus(value.to_string()))
}

#[allow(dead_code)]
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
