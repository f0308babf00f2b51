//! Putting it together: for each listener, how far its address lets
//! connections in, and what the firewall in front of it decides.
//!
//! Two locks, checked separately on purpose (defense in depth):
//!
//! 1. **The bind address.** A socket on `127.0.0.1` cannot be reached from
//!    another machine whatever the firewall says; the firewall is not asked.
//! 2. **The firewall.** For everything else, the rule set decides what
//!    happens to a new connection from an outside address (`--from`, by
//!    default `203.0.113.7`, a documentation address standing for "someone
//!    on the internet").

use std::net::IpAddr;

use serde::Serialize;

use crate::firewall::{Action, Packet, Rules, Verdict};
use crate::socket::{Exposure, Listener};
use crate::Hooks;

/// "Someone on the internet" (TEST-NET-3, never a real host).
pub const OUTSIDE: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 7));

/// One listener and what stands between it and the outside.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub listener: Listener,
    pub exposure: Exposure,
    /// The firewall's decision for a connection from outside; `None` with
    /// no rules, or for a loopback listener (the firewall is not asked).
    pub firewall: Option<Verdict>,
}

impl Finding {
    /// Can a connection from outside get in?
    pub fn reachable(&self) -> bool {
        self.exposure != Exposure::Loopback
            && self
                .firewall
                .is_none_or(|verdict| verdict.action == Action::Allow)
    }

    /// One phrase for the table: "loopback only", "exposed",
    /// "blocked by rule 3", …
    pub fn reach(&self) -> String {
        match (self.exposure, self.firewall) {
            (Exposure::Loopback, _) => "loopback only".to_string(),
            (_, None) => "exposed".to_string(),
            (_, Some(verdict)) => {
                let by = match verdict.rule {
                    Some(rule) => format!("rule {rule}"),
                    None => "the default policy".to_string(),
                };
                match verdict.action {
                    Action::Allow => format!("exposed (allowed by {by})"),
                    Action::Deny => format!("blocked by {by}"),
                }
            }
        }
    }
}

// ANCHOR: assess
/// Judges every listener: its exposure with `hooks.exposure`, then, unless
/// it is loopback only, the `rules` (if any) with `hooks.evaluate` for a
/// connection from `from`.
pub fn assess(
    listeners: Vec<Listener>,
    rules: Option<&Rules>,
    from: IpAddr,
    hooks: &Hooks,
) -> Vec<Finding> {
    listeners
        .into_iter()
        .map(|listener| {
            let exposure = (hooks.exposure)(listener.local.ip());
            let firewall = match rules {
                Some(rules) if exposure != Exposure::Loopback => Some((hooks.evaluate)(
                    rules,
                    &Packet {
                        from,
                        port: listener.local.port(),
                        proto: listener.proto,
                    },
                )),
                _ => None,
            };
            Finding {
                listener,
                exposure,
                firewall,
            }
        })
        .collect()
}
// ANCHOR_END: assess
