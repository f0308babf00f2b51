//! # Lab 5: reading the script's answer
//!
//! You write the two steps a CGI host takes to read what a script printed,
//! and the graded tests run the real cgi-runner, with real sh, perl and
//! python3 scripts, with your code plugged in:
//!
//! * [`end_of_head`]: where does the header block end?
//! * [`parse_head`]: what does it ask for: a document, a local redirect, a
//!   redirect for the client, or nothing valid at all?
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-5`.
//! Chapter 4 of the book explains everything the tests ask for.

// Which code is graded: yours (default), cgi-runner's own with
// `--features solution`, or a known mistake with `--features mistake` and
// WORKBOOK_MISTAKE (see labs/lab-4/src/lib.rs for the full story).
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-5/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{end_of_head, parse_head};

#[cfg(feature = "solution")]
pub use cgi_runner::head::{end_of_head, parse_head};

pub use cgi_runner::{BadHead, Reply};

/// Your two functions, ready to plug into the real cgi-runner.
pub fn hooks() -> cgi_runner::Hooks {
    cgi_runner::Hooks {
        end_of_head,
        parse_head,
        ..cgi_runner::Hooks::default()
    }
}
