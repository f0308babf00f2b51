//! Reading `/proc/net/tcp`, `tcp6`, `udp` and `udp6` by hand.
//!
//! `portaudit` reads the live tables through the `procfs` crate (see
//! `live`). This module is the small parser behind `--proc DIR`, which reads
//! *copies* of those files (saved from another machine, or from a CI job
//! with `cp /proc/net/tcp* /proc/net/udp* DIR`), and it is the parser lab 6
//! asks you to write. A test checks that it agrees with `procfs` on every
//! line of this machine's live tables.
//!
//! One line of `/proc/net/tcp` (the header names the columns):
//!
//! ```text
//!   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//!    0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 24324 1 ...
//! ```
//!
//! The traps are all in the hex:
//!
//! * the **address** is the raw 32-bit value the kernel keeps in network
//!   order, printed as a number *on this machine*: on a little-endian CPU
//!   (x86, ARM) `127.0.0.1` prints as `0100007F`;
//! * an **IPv6 address** is four such 32-bit words, each printed the same
//!   way: `::1` is `00000000000000000000000001000000`. Reading the 32 digits
//!   as 16 bytes in order, or as one 128-bit number, both give a wrong
//!   address, and several crates have shipped exactly that bug;
//! * the **port** is converted to host order before printing: `0CEA` is
//!   3306, read as written;
//! * the **state** is hex too: `0A` is `LISTEN` for TCP; an unconnected UDP
//!   socket shows `07` (`CLOSE`).

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// The TCP state `LISTEN`.
pub const TCP_LISTEN: u8 = 0x0A;
/// The state of an unconnected UDP socket (`CLOSE`): UDP's "listening".
pub const UDP_UNCONNECTED: u8 = 0x07;

/// The parts of one line that say who listens where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    /// `local_address`: the address and port the socket is bound to.
    pub local: SocketAddr,
    /// `st`: the socket state, e.g. [`TCP_LISTEN`].
    pub state: u8,
    /// `inode`: ties the socket to the processes that hold it.
    pub inode: u64,
}

/// A line that is not a socket line, with what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a /proc/net socket line: {0}")]
pub struct BadLine(pub String);

// ANCHOR: parse_line
/// Parses one socket line of `/proc/net/{tcp,tcp6,udp,udp6}`.
pub fn parse_line(line: &str) -> Result<Entry, BadLine> {
    // Columns are separated by runs of spaces; the first is `sl` ("0:").
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 10 || !fields[0].ends_with(':') {
        return Err(BadLine(format!("expected 10 or more columns: {line:?}")));
    }
    let local = parse_address(fields[1])?;
    let state = u8::from_str_radix(fields[3], 16)
        .map_err(|_| BadLine(format!("state {:?} is not hex", fields[3])))?;
    let inode = fields[9]
        .parse()
        .map_err(|_| BadLine(format!("inode {:?} is not a number", fields[9])))?;
    Ok(Entry {
        local,
        state,
        inode,
    })
}

/// `0100007F:0CEA` → `127.0.0.1:3306`.
fn parse_address(field: &str) -> Result<SocketAddr, BadLine> {
    let bad = || BadLine(format!("address {field:?} is not HEXADDR:HEXPORT"));
    let (address, port) = field.split_once(':').ok_or_else(bad)?;
    // The port was turned into host order before printing: read it as is.
    let port = u16::from_str_radix(port, 16).map_err(|_| bad())?;
    let ip = match address.len() {
        8 => IpAddr::V4(Ipv4Addr::from(word(address)?)),
        32 => {
            // Four words, each printed like an IPv4 address: each one's
            // bytes come back in memory order by the same rule.
            let mut octets = [0u8; 16];
            for (i, chunk) in octets.chunks_exact_mut(4).enumerate() {
                chunk.copy_from_slice(&word(&address[i * 8..i * 8 + 8])?);
            }
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => return Err(bad()),
    };
    Ok(SocketAddr::new(ip, port))
}

/// Eight hex digits → the four bytes as they sit in memory (network order).
fn word(hex: &str) -> Result<[u8; 4], BadLine> {
    let value = u32::from_str_radix(hex, 16)
        .map_err(|_| BadLine(format!("{hex:?} is not 8 hex digits")))?;
    // The kernel printed the in-memory value as a number of *this* CPU's
    // byte order, so this CPU's order takes it back apart.
    Ok(value.to_ne_bytes())
}
// ANCHOR_END: parse_line

#[cfg(test)]
mod tests {
    use super::*;

    const V4: &str = "   0: 0100007F:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   106        0 24324 1 0000000000000000 100 0 0 10 0";
    const V6: &str = "   1: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 555 1 0000000000000000 100 0 0 10 0";

    #[test]
    fn reads_an_ipv4_listener() {
        assert_eq!(
            parse_line(V4).unwrap(),
            Entry {
                local: "127.0.0.1:3306".parse().unwrap(),
                state: TCP_LISTEN,
                inode: 24324
            }
        );
    }

    #[test]
    fn reads_an_ipv6_listener() {
        assert_eq!(parse_line(V6).unwrap().local, "[::1]:8080".parse().unwrap());
    }

    #[test]
    fn the_header_and_junk_are_errors() {
        let header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";
        assert!(parse_line(header).is_err());
        assert!(parse_line("").is_err());
        assert!(parse_line(&V4.replace("0100007F", "01000G7F")).is_err());
        assert!(parse_line(&V4.replace("0100007F", "0100007")).is_err());
    }
}
