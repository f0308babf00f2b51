//! # Lab 9: HTTPS in front
//!
//! You write the two decisions that are HTTPS's own, and the graded tests
//! run the real miniproxy with your code plugged in, with certificates
//! from a local CA, and talk to it with the real curl:
//!
//! * [`select_certificate`]: which site's certificate a TLS handshake gets,
//!   from the name the client sent (SNI), before any HTTP is spoken;
//! * [`https_redirect`]: where a plain `http://` request is sent instead.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-9`.
//! Chapter 8 of the book explains everything the tests ask for.

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
        "set WORKBOOK_MISTAKE to a file in labs/lab-9/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{https_redirect, select_certificate};

#[cfg(feature = "solution")]
pub use miniproxy::https::{https_redirect, select_certificate};

pub use miniproxy::SiteNames;

/// Your two functions, plugged into the real miniproxy.
pub fn hooks() -> miniproxy::Hooks {
    miniproxy::Hooks {
        select_certificate,
        https_redirect,
        ..miniproxy::Hooks::default()
    }
}
