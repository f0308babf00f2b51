//! Lab 6: who can reach your port?
//!
//! This is the only file you edit. Run `cargo test -p lab-6` to grade it,
//! `cargo run -p workbook -- hint 6` for a hint, and
//! `cargo run -p workbook -- watch 6` to re-grade on every save.

// The stubs do not use their arguments or these imports yet; this keeps the
// compiler quiet about it until yours do.
#![allow(unused_variables, unused_imports)]

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{Action, BadLine, Entry, Exposure, Packet, Rules, Verdict};

/// Parses one socket line of `/proc/net/tcp`, `tcp6`, `udp` or `udp6`.
/// (Chapter 5, "Reading /proc/net/tcp by hand")
///
/// The columns are separated by runs of spaces. Counting from 0:
/// column 0 is `sl` (`"0:"`), 1 is `local_address`, 3 is `st` (the state),
/// 9 is `inode`. Return an [`Entry`] with:
/// - `local: SocketAddr`: `local_address` is `HEXADDR:HEXPORT`.
///   - The port is 4 hex digits, already in the right order: `0CEA` is 3306.
///   - An IPv4 address is 8 hex digits: the address's four bytes, read by
///     the kernel as one 32-bit number *on a little-endian machine*, and
///     printed. `0100007F` is `127.0.0.1`.
///   - An IPv6 address is 32 hex digits: four such 32-bit words, one after
///     the other, each printed the same way. `::1` is
///     `00000000000000000000000001000000`.
/// - `state: u8`: `st`, two hex digits (`0A` is LISTEN).
/// - `inode: u64`: `inode`, in decimal.
///
/// Anything else (the header line, too few columns, digits that are not
/// hex, an address of another length) is `Err(BadLine(why))`, never a
/// panic: portaudit names the file and line for you.
///
/// The chapter's table lists every line the graded tests send.
pub fn parse_line(line: &str) -> Result<Entry, BadLine> {
    todo!("lab 6: split the line into columns and decode local_address, st and inode")
}

/// Says who can reach a socket bound to `address`.
/// (Chapter 5, "Loopback, every interface, or one")
///
/// - `Exposure::Loopback`: only this machine. That is all of `127.0.0.0/8`
///   (not only `127.0.0.1`) and `::1`.
/// - `Exposure::All`: every interface, `0.0.0.0` and `::`.
/// - `Exposure::Specific`: any other address (one interface's).
///
/// An IPv4 address written the IPv6 way, `::ffff:a.b.c.d`, is judged as the
/// IPv4 address `a.b.c.d`. `IpAddr`, `Ipv4Addr` and `Ipv6Addr` have methods
/// for every one of these questions.
pub fn exposure(address: IpAddr) -> Exposure {
    todo!("lab 6: sort `address` into loopback, all or specific")
}

/// Decides what a firewall rule set does with a new incoming connection.
/// (Chapter 5, "First match wins")
///
/// `rules.rules` is a `Vec<Rule>`, in order; `rules.default` is the
/// `Action` (`Allow` or `Deny`) for a connection no rule matches. A rule
/// matches `packet` when all of these hold:
/// - `rule.port == packet.port`;
/// - `rule.proto` is `None` (both) or equal to `packet.proto`;
/// - `rule.from` is `None` (anyone) or a `Cidr` that contains
///   `packet.from` (`Cidr::contains` does the address arithmetic).
///
/// Return the `Verdict { action, rule }` of the first matching rule, with
/// `rule: Some(n)` numbered from 1 (as `ufw status numbered` counts); if
/// none matches, the default policy with `rule: None`.
pub fn evaluate(rules: &Rules, packet: &Packet) -> Verdict {
    todo!("lab 6: try the rules in order; the first that matches decides")
}
