//! # Lab 3: virtual hosts
//!
//! You write the three decisions that let one proxy on one port serve many
//! sites, and the graded tests run the real miniproxy with your code
//! plugged in, in front of real demo-was application servers:
//!
//! * [`normalize_host`]: the `Host` header as a name to compare;
//! * [`select_site`]: which site answers for that name;
//! * [`rewrite_location`]: ProxyPassReverse, a redirect to the application
//!   moved to the public name.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-3`.
//! Chapter 3 of the book explains everything the tests ask for.

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
        "set WORKBOOK_MISTAKE to a file in labs/lab-3/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{normalize_host, rewrite_location, select_site};

#[cfg(feature = "solution")]
pub use miniproxy::sites::{normalize_host, rewrite_location, select_site};

pub use miniproxy::SiteNames;

/// Your three functions, plugged into the real miniproxy.
pub fn hooks() -> miniproxy::Hooks {
    miniproxy::Hooks {
        normalize_host,
        select_site,
        rewrite_location,
        ..miniproxy::Hooks::default()
    }
}
