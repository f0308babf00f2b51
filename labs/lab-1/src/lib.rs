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

// The learner's code, unless the reference solution is asked for.
#[cfg(not(feature = "solution"))]
mod exercise;
#[cfg(not(feature = "solution"))]
pub use exercise::{classify, resolve};

// The reference solution is miniproxy's own code: the same functions the
// `miniproxy` binary runs. One source of truth, nothing copied.
#[cfg(feature = "solution")]
pub use miniproxy::files::resolve;
#[cfg(feature = "solution")]
pub use miniproxy::routing::classify;

pub use miniproxy::{Refused, Route, StaticRules};

/// Your two functions, ready to plug into the real miniproxy.
pub fn hooks() -> miniproxy::Hooks {
    miniproxy::Hooks { resolve, classify }
}
