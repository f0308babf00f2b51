// Mistake: only `\r\n\r\n` ends the head, HTTP's own line ending. Most
// scripts end their lines with a plain `\n` (print in Perl, echo in sh),
// and their heads are never found: the server waits until the script ends.

pub use cgi_runner::head::parse_head;
pub use cgi_runner::meta::{header_variables, request_variables};

pub fn end_of_head(output: &[u8]) -> Option<(usize, usize)> {
    let at = output.windows(4).position(|window| window == b"\r\n\r\n")?;
    Some((at + 2, at + 4))
}
