//! How a graded lab test fails: one message shape for every lab.
//!
//! A learner reads a failing test's output to find out what to fix, so every
//! graded failure says the same four things, in the same order:
//!
//! ```text
//!   request:  GET /static/../../secret.txt
//!   expected: 400 Bad Request from resolve(): `..` climbs out of the web root
//!   got:      200 from miniproxy: TOP SECRET
//!   reread:   chapter 1, "Which file does a URL mean?"
//! ```
//!
//! `workbook verify` reads the `reread:` line back and checks that the
//! section it names is a heading of that chapter, so a renamed section can
//! never leave a learner looking for a heading that is gone.
//!
//! A failing test is a panic, and with `RUST_BACKTRACE=1` (set on many
//! machines) the standard panic hook prints a full backtrace for every
//! panic, the learner's `todo!()` inside the server included. Those
//! backtraces are about the test machinery, never about the exercise, so
//! [`quiet_panics`] replaces the hook with one that prints the message and
//! its location only.

use std::sync::Once;

/// The four parts of a graded failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// What the test did: `GET /x`, `resolve("/a/../b")`.
    pub request: String,
    /// What the right solution does.
    pub expected: String,
    /// What came back instead.
    pub got: String,
    /// Where the book explains it: chapter number and section heading.
    pub chapter: u32,
    pub section: String,
}

/// The prefix of the line that names the section to reread.
pub const REREAD: &str = "reread:   ";

impl Failure {
    /// The message, in the shape shown at the top of this module.
    pub fn message(&self) -> String {
        format!(
            "\n  request:  {}\n  expected: {}\n  got:      {}\n  {REREAD}{}\n",
            self.request,
            self.expected,
            self.got,
            reread(self.chapter, &self.section)
        )
    }

    /// Fails the test with [`Failure::message`], without a backtrace.
    #[track_caller]
    pub fn fail(&self) -> ! {
        quiet_panics();
        panic!("{}", self.message())
    }
}

/// `chapter 1, "Static or dynamic?"`: how a reread line names a section.
pub fn reread(chapter: u32, section: &str) -> String {
    format!("chapter {chapter}, \"{section}\"")
}

/// Reads `(chapter, section)` back from a failure message's reread line.
pub fn parse_reread(message: &str) -> Option<(u32, String)> {
    let line = message
        .lines()
        .find_map(|line| line.trim_start().strip_prefix(REREAD.trim_end()))?;
    let rest = line.trim().strip_prefix("chapter ")?;
    let (number, section) = rest.split_once(", ")?;
    let section = section.strip_prefix('"')?.strip_suffix('"')?;
    Some((number.parse().ok()?, section.to_string()))
}

/// Replaces the panic hook, once per test program, with one that prints
/// `thread 'NAME' panicked at FILE:LINE:COL:` and the message, and never a
/// backtrace, whatever `RUST_BACKTRACE` says. The first line keeps the
/// standard shape, so test runners and `workbook check` read it as before.
pub fn quiet_panics() {
    static INSTALLED: Once = Once::new();
    INSTALLED.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let thread = std::thread::current();
            let name = thread.name().unwrap_or("<unnamed>");
            let message = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "(a panic without a message)".to_string());
            match info.location() {
                Some(at) => eprintln!("thread '{name}' panicked at {at}:\n{message}"),
                None => eprintln!("thread '{name}' panicked:\n{message}"),
            }
        }));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Failure {
        Failure {
            request: "GET /x".into(),
            expected: "200".into(),
            got: "404 from miniproxy: no such file".into(),
            chapter: 1,
            section: "Which file does a URL mean?".into(),
        }
    }

    #[test]
    fn the_message_has_four_aligned_lines() {
        assert_eq!(
            sample().message(),
            "\n  request:  GET /x\n  expected: 200\n  got:      404 from miniproxy: no such file\n  \
             reread:   chapter 1, \"Which file does a URL mean?\"\n"
        );
    }

    #[test]
    fn the_reread_line_reads_back() {
        assert_eq!(
            parse_reread(&sample().message()),
            Some((1, "Which file does a URL mean?".to_string()))
        );
        assert_eq!(parse_reread("assertion failed"), None);
    }

    #[test]
    fn fail_panics_with_the_message() {
        let caught = std::panic::catch_unwind(|| sample().fail()).unwrap_err();
        let text = caught.downcast_ref::<String>().unwrap();
        assert_eq!(*text, sample().message());
    }
}
