//! # Lab 6: who can reach your port?
//!
//! You write the three decisions `portaudit` makes, and the graded tests run
//! the real portaudit engine with your code plugged in, on this machine's
//! real socket tables, with listeners the tests open themselves:
//!
//! * [`parse_line`]: one line of `/proc/net/tcp` or `tcp6`, by hand;
//! * [`exposure`]: loopback only, every interface, or one interface?
//! * [`evaluate`]: what a firewall rule set does with a new connection.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-6`.
//! Chapter 5 of the book explains everything the tests ask for.

// Which code is graded. One of three, and only one:
// - yours, from `src/exercise.rs` (the default);
// - with `--features solution`, portaudit's own code: the functions the
//   `portaudit` binary runs, so the tool and the answer never drift apart;
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
        "set WORKBOOK_MISTAKE to a file in labs/lab-6/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{evaluate, exposure, parse_line};

#[cfg(feature = "solution")]
pub use portaudit::firewall::evaluate;
#[cfg(feature = "solution")]
pub use portaudit::procnet::parse_line;
#[cfg(feature = "solution")]
pub use portaudit::socket::exposure;

pub use portaudit::{Action, BadLine, Cidr, Entry, Exposure, Packet, Proto, Rule, Rules, Verdict};

/// Your three functions, ready to plug into the real portaudit.
pub fn hooks() -> portaudit::Hooks {
    portaudit::Hooks {
        parse_line,
        exposure,
        evaluate,
    }
}
