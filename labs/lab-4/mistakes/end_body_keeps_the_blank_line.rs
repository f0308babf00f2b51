// Mistake: the body starts AT the blank line instead of after it, so every
// answer begins with an extra empty line the script never meant to send.

pub use cgi_runner::head::parse_head;
pub use cgi_runner::meta::{header_variables, request_variables};

pub fn end_of_head(output: &[u8]) -> Option<(usize, usize)> {
    let mut line_start = 0;
    while let Some(offset) = output[line_start..].iter().position(|&b| b == b'\n') {
        let newline = line_start + offset;
        let line = &output[line_start..newline];
        if line.is_empty() || line == b"\r" {
            return Some((line_start, line_start));
        }
        line_start = newline + 1;
    }
    None
}
