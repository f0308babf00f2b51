//! # portaudit: who can reach your port?
//!
//! `ss -lntup` tells you what listens where. `portaudit` says the same, and
//! then answers the question that matters when a server faces the internet:
//! **who can reach it?** A socket bound to `127.0.0.1` is reachable from
//! this machine only; one bound to `0.0.0.0` or `::` is reachable through
//! every interface, unless a firewall rule stops the connection first.
//!
//! ```text
//! $ portaudit --rules playground/ch5/rules.txt
//! PROTO  ADDRESS    PORT   EXPOSURE       REACH                PROCESSES
//! tcp    127.0.0.1  3306   loopback       loopback only        mysqld(812)
//! tcp    0.0.0.0    8081   all            blocked by rule 2    java(1200)
//! tcp    ::         60022  all (+IPv4)    exposed (allowed by rule 1)  sshd(640)
//! ```
//!
//! ## How the code is laid out
//!
//! Each module holds one idea:
//!
//! - `socket`: a listener, and its [`Exposure`] (loopback, all, specific).
//! - `live`: this machine's listeners and their processes, from the
//!   `procfs` crate; `v6only`: whether an IPv6 wildcard takes IPv4 too
//!   (asked over netlink, as `ss` does).
//! - `procnet`: a hand parser for saved `/proc/net/tcp*` copies, and
//!   `snapshot`, which reads a folder of them (`--proc DIR`).
//! - `firewall`: a ufw-like rule set and its evaluation (first match wins);
//!   `iptables`: the same rules read from `iptables -S`.
//! - `audit`: both locks together, per listener; `policy`: `portaudit check`;
//!   `report`: the table and the JSON.
//!
//! Three decisions are **hooks** ([`Hooks`]): plain function pointers that
//! hold this crate's own functions by default. Lab 6 puts the learner's in
//! their place and runs this same code on the machine's real tables.

// Anchors like `ANCHOR: name` in these files mark the listings the book
// includes with `{{#include}}`; keep them when editing.

pub mod audit;
pub mod firewall;
pub mod iptables;
pub mod live;
pub mod policy;
pub mod procnet;
pub mod report;
pub mod snapshot;
pub mod socket;
pub mod ufw;
pub mod v6only;

pub use audit::{assess, Finding};
pub use firewall::{Action, Cidr, Packet, Rule, Rules, Verdict};
pub use procnet::{BadLine, Entry};
pub use socket::{Exposure, Listener, Owner, Proto};

use std::net::IpAddr;

// ANCHOR: hooks
/// The three decisions lab 6 asks for, as swappable function pointers.
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    /// One line of `/proc/net/tcp{,6}` or `udp{,6}` → address, state, inode.
    pub parse_line: fn(&str) -> Result<Entry, BadLine>,
    /// A local address → loopback, all interfaces, or one interface.
    pub exposure: fn(IpAddr) -> Exposure,
    /// A rule set and a new connection → allowed or denied, and by what.
    pub evaluate: fn(&Rules, &Packet) -> Verdict,
}

impl Default for Hooks {
    /// portaudit's own functions.
    fn default() -> Hooks {
        Hooks {
            parse_line: procnet::parse_line,
            exposure: socket::exposure,
            evaluate: firewall::evaluate,
        }
    }
}
// ANCHOR_END: hooks
