// Mistake: searches from the end. The LAST blank line is taken for the
// end of the head, so a body with blank lines of its own is read as more
// headers, which do not parse.

pub use cgi_runner::head::parse_head;
pub use cgi_runner::meta::{header_variables, request_variables};

pub fn end_of_head(output: &[u8]) -> Option<(usize, usize)> {
    let mut found = None;
    let mut line_start = 0;
    while let Some(offset) = output[line_start..].iter().position(|&b| b == b'\n') {
        let newline = line_start + offset;
        let line = &output[line_start..newline];
        if line.is_empty() || line == b"\r" {
            found = Some((line_start, newline + 1));
        }
        line_start = newline + 1;
    }
    found
}
