//! What a listening socket is, and the one question this crate asks about
//! it: *who can reach it?*
//!
//! A server does not listen "on a port". It listens on an **address and a
//! port**, and the address decides which network interfaces its connections
//! may arrive through:
//!
//! * a loopback address (`127.0.0.1`, any `127.x.y.z`, `::1`): only programs
//!   on this machine can connect. This is where MySQL listens by default
//!   (`127.0.0.1:3306`), and where an application behind a proxy belongs;
//! * the wildcard (`0.0.0.0`, `::`): every interface, now and later. A
//!   machine with a public address is reachable from the internet. This is
//!   Tomcat's default, and sshd's (`0.0.0.0:22`);
//! * any other address: that one interface only.
//!
//! [`exposure`] sorts an address into those three. Lab 6 asks you to write
//! it; `portaudit` calls it through [`crate::Hooks`].

use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

/// TCP or UDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }
}

impl std::fmt::Display for Proto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Who can reach a socket, judged from its local address alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Exposure {
    /// Only this machine: `127.0.0.0/8`, `::1` (and `::ffff:127.x.y.z`).
    Loopback,
    /// Every interface: `0.0.0.0` or `::`.
    All,
    /// One interface's address, such as `192.0.2.10`.
    Specific,
}

impl Exposure {
    pub fn name(self) -> &'static str {
        match self {
            Exposure::Loopback => "loopback",
            Exposure::All => "all",
            Exposure::Specific => "specific",
        }
    }
}

/// A process that holds a listening socket. Several can share one: an
/// nginx master and its workers all hold the same socket, inherited from
/// the master.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Owner {
    pub pid: i32,
    pub name: String,
}

/// One listening socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Listener {
    pub proto: Proto,
    /// The local address and port, as the kernel reports it.
    pub local: SocketAddr,
    /// The socket's inode: how /proc ties a socket to its processes.
    pub inode: u64,
    /// For an IPv6 wildcard (`::`) with `IPV6_V6ONLY` off: it accepts IPv4
    /// connections too (they arrive as `::ffff:a.b.c.d`). `ss` shows such a
    /// socket as `*:PORT`, and one with V6ONLY on as `[::]:PORT`.
    pub dual_stack: bool,
    /// Who holds it, where permissions let us see (root sees everyone).
    pub processes: Vec<Owner>,
}

// ANCHOR: exposure
/// Sorts a local address into loopback, all interfaces, or one interface.
pub fn exposure(address: IpAddr) -> Exposure {
    // An IPv4 address written the IPv6 way (`::ffff:127.0.0.1`) is judged as
    // the IPv4 address it is.
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    };
    if address.is_loopback() {
        // All of 127.0.0.0/8 is loopback, not only 127.0.0.1; and ::1.
        Exposure::Loopback
    } else if address.is_unspecified() {
        // 0.0.0.0 and :: mean "every address this machine has".
        Exposure::All
    } else {
        Exposure::Specific
    }
}
// ANCHOR_END: exposure
