//! # Lab 8: production configuration
//!
//! You write the two decisions demo-was makes before it serves anything,
//! and the graded tests start the real demo-was with your code plugged in,
//! from real config files, an environment and flags, on a real SQLite file:
//!
//! * [`merge`]: many layers into one set of settings, remembering where
//!   each value came from;
//! * [`guard`]: what the `prod` profile refuses to start with.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-8`.
//! Chapter 7 of the book explains everything the tests ask for.

// Which code is graded: yours (the default), demo-was's own with
// `--features solution`, or a known mistake with `--features mistake` (the
// file named by WORKBOOK_MISTAKE; `workbook verify` uses it). `solution`
// wins when both are on. See labs/lab-1/src/lib.rs for the whole story.
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-8/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{guard, merge};

#[cfg(feature = "solution")]
pub use demo_was::config::{guard, merge};

pub use demo_was::config::{Entry, ExternalFile, Layer, LayerKind, Setting, Settings, Source};
