// Mistake: only `\n\n` ends the head. A script that ends its lines with
// `\r\n` writes `\r\n\r\n`, which contains no `\n\n` at all.

pub use cgi_runner::head::parse_head;
pub use cgi_runner::meta::{header_variables, request_variables};

pub fn end_of_head(output: &[u8]) -> Option<(usize, usize)> {
    let at = output.windows(2).position(|window| window == b"\n\n")?;
    Some((at + 1, at + 2))
}
