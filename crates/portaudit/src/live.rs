//! The live tables of this machine (of this network namespace, in fact),
//! read with the `procfs` crate, plus who holds each socket.
//!
//! Two facts are not in `/proc/net/tcp6` at all:
//!
//! * **Who owns a socket.** The table only has the socket's inode. Each
//!   process's open files (`/proc/PID/fd/*`) link to `socket:[INODE]`, so the
//!   owners are found by walking every process and matching inodes. Several
//!   processes can hold one socket (an nginx master and its workers), and a
//!   user who is not root only sees their own processes, as with `ss -p`.
//! * **Whether an IPv6 wildcard also takes IPv4** (`IPV6_V6ONLY` off: a
//!   dual-stack socket). The kernel reports that flag through its socket
//!   diagnostics interface (netlink), which is what `ss` uses; see `v6only`.

use std::collections::HashMap;
use std::net::SocketAddr;

use procfs::net::{TcpState, UdpState};

use crate::socket::{Listener, Owner, Proto};
use crate::v6only;

/// Every listening TCP socket and every unconnected UDP socket, IPv4 and
/// IPv6, with their owners where permissions allow.
pub fn listeners() -> Result<Vec<Listener>, procfs::ProcError> {
    let mut found: Vec<(Proto, SocketAddr, u64)> = Vec::new();
    for entry in procfs::net::tcp()?.into_iter().chain(procfs::net::tcp6()?) {
        if entry.state == TcpState::Listen {
            found.push((Proto::Tcp, entry.local_address, entry.inode));
        }
    }
    for entry in procfs::net::udp()?.into_iter().chain(procfs::net::udp6()?) {
        // An unconnected UDP socket is UDP's "listening": it takes datagrams
        // from anyone. A connected one talks to one peer only.
        if entry.state == UdpState::Close && entry.remote_address.port() == 0 {
            found.push((Proto::Udp, entry.local_address, entry.inode));
        }
    }
    let owners = owners_by_inode();
    let mut listeners: Vec<Listener> = found
        .into_iter()
        .map(|(proto, local, inode)| Listener {
            proto,
            local,
            inode,
            dual_stack: false,
            processes: owners.get(&inode).cloned().unwrap_or_default(),
        })
        .collect();
    v6only::mark_dual_stack(&mut listeners);
    sort(&mut listeners);
    Ok(listeners)
}

/// The order `ss` uses: by protocol, then port, then address.
pub fn sort(listeners: &mut [Listener]) {
    listeners.sort_by(|a, b| {
        (a.proto, a.local.port(), a.local.ip()).cmp(&(b.proto, b.local.port(), b.local.ip()))
    });
}

/// inode → the processes holding that socket. Processes we may not look
/// into (another user's, when not root) or that exit meanwhile are skipped.
pub fn owners_by_inode() -> HashMap<u64, Vec<Owner>> {
    let mut owners: HashMap<u64, Vec<Owner>> = HashMap::new();
    let Ok(processes) = procfs::process::all_processes() else {
        return owners;
    };
    for process in processes.flatten() {
        let (Ok(fds), Ok(stat)) = (process.fd(), process.stat()) else {
            continue;
        };
        for fd in fds.flatten() {
            if let procfs::process::FDTarget::Socket(inode) = fd.target {
                let list = owners.entry(inode).or_default();
                // One process can hold the same socket twice (dup'ed fds).
                if !list.iter().any(|owner| owner.pid == process.pid) {
                    list.push(Owner {
                        pid: process.pid,
                        name: stat.comm.clone(),
                    });
                }
            }
        }
    }
    for list in owners.values_mut() {
        list.sort_by_key(|owner| owner.pid);
    }
    owners
}
