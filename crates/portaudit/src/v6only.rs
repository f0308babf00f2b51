//! Is an IPv6 wildcard socket dual-stack? Asking the kernel over netlink.
//!
//! A socket bound to `[::]:8080` takes IPv4 connections too, unless its
//! `IPV6_V6ONLY` option is on. The default comes from the sysctl
//! `net.ipv6.bindv6only` (0 on most systems: dual-stack), but any program
//! can set it per socket (nginx's `listen [::]:80 ipv6only=on`, Java never).
//! `/proc/net/tcp6` does not show it; the kernel's socket diagnostics
//! interface (`NETLINK_SOCK_DIAG`, what `ss` uses) does, in the attribute
//! `INET_DIAG_SKV6ONLY` of every IPv6 socket it reports.
//!
//! This is the one place the crate speaks netlink itself: one request (a
//! dump of IPv6 sockets of one protocol), one loop over the answers. If the
//! kernel refuses (an old kernel, no `udp_diag` module), the sysctl default
//! stands in.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};

use crate::socket::{Listener, Proto};

/// Sets `dual_stack` on every IPv6 wildcard listener that takes IPv4 too.
pub fn mark_dual_stack(listeners: &mut [Listener]) {
    let default_v6only = std::fs::read_to_string("/proc/sys/net/ipv6/bindv6only")
        .map(|text| text.trim() == "1")
        .unwrap_or(false);
    let mut asked: HashMap<Proto, Option<HashMap<u64, bool>>> = HashMap::new();
    for listener in listeners.iter_mut() {
        let std::net::IpAddr::V6(ip) = listener.local.ip() else {
            continue;
        };
        if !ip.is_unspecified() {
            continue;
        }
        let flags = asked
            .entry(listener.proto)
            .or_insert_with(|| v6only_by_inode(listener.proto).ok());
        let v6only = flags
            .as_ref()
            .and_then(|flags| flags.get(&listener.inode).copied())
            .unwrap_or(default_v6only);
        listener.dual_stack = !v6only;
    }
}

const NETLINK_SOCK_DIAG: libc::c_int = 4;
const SOCK_DIAG_BY_FAMILY: u16 = 20;
const NLMSG_ERROR: u16 = 2;
const NLMSG_DONE: u16 = 3;
const INET_DIAG_SKV6ONLY: u16 = 11;
/// `struct nlmsghdr`.
const HEADER: usize = 16;
/// `struct inet_diag_msg`; its `idiag_inode` is the last 4 bytes.
const DIAG_MSG: usize = 72;

/// inode → `IPV6_V6ONLY` for every IPv6 socket of `proto`.
pub fn v6only_by_inode(proto: Proto) -> io::Result<HashMap<u64, bool>> {
    // SAFETY: plain socket(2); the result is checked and owned at once.
    let raw = unsafe {
        libc::socket(
            libc::AF_NETLINK,
            libc::SOCK_DGRAM | libc::SOCK_CLOEXEC,
            NETLINK_SOCK_DIAG,
        )
    };
    if raw < 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: `raw` is a fresh descriptor nobody else owns.
    let socket = unsafe { OwnedFd::from_raw_fd(raw) };

    // struct nlmsghdr + struct inet_diag_req_v2, little by little.
    let mut request = Vec::with_capacity(HEADER + 56);
    request.extend_from_slice(&((HEADER + 56) as u32).to_ne_bytes());
    request.extend_from_slice(&SOCK_DIAG_BY_FAMILY.to_ne_bytes());
    let flags = (libc::NLM_F_REQUEST | libc::NLM_F_DUMP) as u16;
    request.extend_from_slice(&flags.to_ne_bytes());
    request.extend_from_slice(&1u32.to_ne_bytes()); // sequence number
    request.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel fills it
    request.push(libc::AF_INET6 as u8);
    request.push(match proto {
        Proto::Tcp => libc::IPPROTO_TCP as u8,
        Proto::Udp => libc::IPPROTO_UDP as u8,
    });
    request.push(0); // no extensions: SKV6ONLY comes anyway
    request.push(0);
    request.extend_from_slice(&u32::MAX.to_ne_bytes()); // every state
    request.resize(HEADER + 56, 0); // the socket id: all zero, "any"

    // SAFETY: sockaddr_nl is plain data; zero is a valid value for it.
    let mut kernel: libc::sockaddr_nl = unsafe { std::mem::zeroed() };
    kernel.nl_family = libc::AF_NETLINK as u16;
    // SAFETY: the buffer and address outlive the call; lengths are theirs.
    let sent = unsafe {
        libc::sendto(
            socket.as_raw_fd(),
            request.as_ptr().cast(),
            request.len(),
            0,
            (&kernel as *const libc::sockaddr_nl).cast(),
            std::mem::size_of::<libc::sockaddr_nl>() as u32,
        )
    };
    if sent < 0 {
        return Err(io::Error::last_os_error());
    }

    let mut flags_by_inode = HashMap::new();
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        // SAFETY: recv writes at most buffer.len() bytes into buffer.
        let read = unsafe {
            libc::recv(
                socket.as_raw_fd(),
                buffer.as_mut_ptr().cast(),
                buffer.len(),
                0,
            )
        };
        if read < 0 {
            return Err(io::Error::last_os_error());
        }
        let data = &buffer[..read as usize];
        let mut at = 0;
        while at + HEADER <= data.len() {
            let length = u32_at(data, at) as usize;
            let kind = u16::from_ne_bytes([data[at + 4], data[at + 5]]);
            if length < HEADER || at + length > data.len() {
                return Err(io::Error::other("a truncated netlink message"));
            }
            match kind {
                NLMSG_DONE => return Ok(flags_by_inode),
                NLMSG_ERROR => return Err(io::Error::other("the kernel refused the dump")),
                _ if length >= HEADER + DIAG_MSG => {
                    let message = &data[at + HEADER..at + length];
                    let inode = u64::from(u32_at(message, DIAG_MSG - 4));
                    if let Some(flag) = attribute(&message[DIAG_MSG..], INET_DIAG_SKV6ONLY) {
                        flags_by_inode.insert(inode, flag.first() == Some(&1));
                    }
                }
                _ => {}
            }
            at += align(length);
        }
    }
}

/// The payload of the first `struct rtattr` of `kind` in `attributes`.
fn attribute(mut attributes: &[u8], kind: u16) -> Option<&[u8]> {
    while attributes.len() >= 4 {
        let length = u16::from_ne_bytes([attributes[0], attributes[1]]) as usize;
        let this = u16::from_ne_bytes([attributes[2], attributes[3]]);
        if length < 4 || length > attributes.len() {
            return None;
        }
        if this == kind {
            return Some(&attributes[4..length]);
        }
        attributes = &attributes[align(length).min(attributes.len())..];
    }
    None
}

fn u32_at(data: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes([data[at], data[at + 1], data[at + 2], data[at + 3]])
}

/// Netlink pads every message and attribute to 4 bytes.
fn align(length: usize) -> usize {
    (length + 3) & !3
}
