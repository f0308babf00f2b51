// Mistake: `Status` is matched with its exact case. CGI header names
// ignore case like HTTP's, so `STATUS: 201` is a Status, not a header to
// pass on.

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
        if name == "Status" {
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
    let bad = || BadHead::BadStatus(value.to_string());
    let code = value.get(..3).ok_or_else(bad)?;
    let rest = &value[3..];
    if !code.bytes().all(|b| b.is_ascii_digit()) || !(rest.is_empty() || rest.starts_with(' ')) {
        return Err(bad());
    }
    let code: u16 = code.parse().map_err(|_| bad())?;
    if (100..=599).contains(&code) {
        Ok(code)
    } else {
        Err(bad())
    }
}

#[allow(dead_code)]
fn is_token(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}
