//! # Lab 1: the web server in front
//!
//! You write the two decisions a web server makes before it touches the disk
//! or the application server, and the graded tests run the real miniproxy
//! with your code plugged in:
//!
//! * [`resolve`]: which file does this URL path mean, and is it safe?
//! * [`classify`]: is this request static (answered from disk) or dynamic
//!   (forwarded to the application server)?
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-1`.
//! Chapter 1 of the book explains everything the tests ask for.

// Which code is graded. One of three, and only one:
// - yours, from `src/exercise.rs` (the default);
// - with `--features solution`, miniproxy's own code: the functions the
//   `miniproxy` binary runs, so the tool and the answer never drift apart;
// - with `--features mistake`, a known wrong answer from `mistakes/`, named
//   by the WORKBOOK_MISTAKE environment variable. `workbook verify` uses it
//   to prove that the graded tests catch each one. `solution` wins when both
//   are on, so `cargo test --all-features` grades the reference.
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-1/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{classify, resolve};

#[cfg(feature = "solution")]
pub use miniproxy::files::resolve;
#[cfg(feature = "solution")]
pub use miniproxy::routing::classify;

pub use miniproxy::{Refused, Route, StaticRules};

/// Your two functions, ready to plug into the real miniproxy.
pub fn hooks() -> miniproxy::Hooks {
    miniproxy::Hooks {
        resolve,
        classify,
        ..miniproxy::Hooks::default()
    }
}
