//! Printing a line without risking the server.
//!
//! `println!` looks harmless, but it *panics* when the write fails. The
//! everyday way for that to happen is a closed pipe: `miniproxy | head -1`
//! reads the first line, `head` exits, and the next `println!` hits EPIPE
//! ("broken pipe"). Rust programs ignore the SIGPIPE signal that would
//! otherwise have killed the process, so the error comes back to the
//! program, and `println!` turns it into a panic on the main task: the front
//! server of a site dies because somebody stopped reading its output.
//!
//! A server's status lines are a courtesy to whoever watches; nobody
//! watching is no reason to stop serving. So these write, and ignore a
//! failure, on purpose.

use std::fmt::Display;
use std::io::{self, Write};

/// Writes `line` and a newline to stdout; a closed stdout is ignored.
///
/// Use it for the lines a server prints while it runs ("listening on …",
/// "stopping …"), in place of `println!`.
pub fn announce(line: impl Display) {
    // `lock()` keeps the line whole when several threads print at once.
    let _ = writeln!(io::stdout().lock(), "{line}");
}

/// Writes `line` and a newline to stderr; a closed stderr is ignored.
///
/// Like `eprintln!`, which panics on a failed write as well.
pub fn announce_err(line: impl Display) {
    let _ = writeln!(io::stderr().lock(), "{line}");
}
