//! Reading saved copies of the four socket tables (`portaudit --proc DIR`)
//! with the hand parser of `procnet`, or with yours: the parser is a hook.
//!
//! The same code reads `/proc/self/net` itself, which is how lab 6 grades
//! your `parse_line` on this machine's real tables.

use std::path::Path;

use crate::procnet::{Entry, TCP_LISTEN, UDP_UNCONNECTED};
use crate::socket::{Listener, Proto};
use crate::Hooks;

/// The four tables, and the protocol each one holds.
pub const TABLES: [(&str, Proto); 4] = [
    ("tcp", Proto::Tcp),
    ("tcp6", Proto::Tcp),
    ("udp", Proto::Udp),
    ("udp6", Proto::Udp),
];

/// A table that could not be read, naming the file and line.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    #[error("{dir}: none of tcp, tcp6, udp, udp6 is there")]
    Empty { dir: String },
    #[error("cannot read {file}: {source}")]
    Read {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}:{line}: {message}")]
    Line {
        file: String,
        line: usize,
        message: String,
    },
}

// ANCHOR: read
/// Every listener in the tables under `dir`, parsed by `hooks.parse_line`.
///
/// Copies carry no owners and no `IPV6_V6ONLY` flag: processes are left
/// empty, and an IPv6 wildcard is taken as dual-stack, Linux's default.
pub fn read(dir: &Path, hooks: &Hooks) -> Result<Vec<Listener>, SnapshotError> {
    let mut listeners = Vec::new();
    let mut tables = 0;
    for (name, proto) in TABLES {
        let file = dir.join(name);
        let shown = file.display().to_string();
        let text = match std::fs::read_to_string(&file) {
            Ok(text) => text,
            // A machine without IPv6 has no tcp6: fine, as long as some
            // table is there.
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => {
                return Err(SnapshotError::Read {
                    file: shown,
                    source,
                })
            }
        };
        tables += 1;
        // The first line is the column header.
        for (number, line) in text.lines().enumerate().skip(1) {
            if line.trim().is_empty() {
                continue;
            }
            let entry: Entry = (hooks.parse_line)(line).map_err(|error| SnapshotError::Line {
                file: shown.clone(),
                line: number + 1,
                message: error.to_string(),
            })?;
            let listening = match proto {
                Proto::Tcp => entry.state == TCP_LISTEN,
                Proto::Udp => entry.state == UDP_UNCONNECTED,
            };
            if listening {
                listeners.push(Listener {
                    proto,
                    local: entry.local,
                    inode: entry.inode,
                    dual_stack: matches!(entry.local.ip(), std::net::IpAddr::V6(ip) if ip.is_unspecified()),
                    processes: Vec::new(),
                });
            }
        }
    }
    if tables == 0 {
        return Err(SnapshotError::Empty {
            dir: dir.display().to_string(),
        });
    }
    crate::live::sort(&mut listeners);
    Ok(listeners)
}
// ANCHOR_END: read
