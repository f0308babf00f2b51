//! # Lab 2: the reverse proxy in front
//!
//! You write two decisions the proxy makes for every dynamic request, and
//! the graded tests run the real miniproxy with your code plugged in, in
//! front of three real demo-was application servers:
//!
//! * [`rewrite_headers`]: what crosses the proxy, and what stays behind;
//! * [`choose`]: which application server answers.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-2`.
//! Chapter 2 of the book explains everything the tests ask for.

// Which code is graded: yours (the default), miniproxy's own with
// `--features solution`, or a known mistake with `--features mistake` (the
// file named by WORKBOOK_MISTAKE; `workbook verify` uses it). `solution`
// wins when both are on. See labs/lab-1/src/lib.rs for the whole story.
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-2/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{choose, rewrite_headers};

#[cfg(feature = "solution")]
pub use miniproxy::headers::rewrite_request_headers as rewrite_headers;
#[cfg(feature = "solution")]
pub use miniproxy::upstream::balance::choose;

pub use miniproxy::{Candidate, Strategy};

/// Your two functions, plugged into the real miniproxy.
pub fn hooks() -> miniproxy::Hooks {
    miniproxy::Hooks {
        rewrite_headers,
        choose,
        ..miniproxy::Hooks::default()
    }
}
