//! `portaudit check POLICY.toml`: which ports may face the world, which
//! must stay on loopback. One line per violation and a non-zero exit, so a
//! deploy script or CI job stops on it.
//!
//! ```toml
//! # Anyone may reach these.
//! public = [80, 443, 22]
//! # These must be *bound* to loopback. A firewall rule is not enough: rules
//! # get flushed, reordered, or forgotten on the next server.
//! loopback_only = [8081, 8082, 3306]
//! ```
//!
//! Any other port must not be reachable from outside: bound to loopback, or
//! blocked by the firewall.

use std::path::Path;

use serde::Deserialize;

use crate::audit::Finding;
use crate::socket::Exposure;

/// A policy file that could not be read: `policy.toml:3: unknown field …`.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct PolicyError(pub String);

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub public: Vec<u16>,
    #[serde(default)]
    pub loopback_only: Vec<u16>,
}

impl Policy {
    /// Reads a policy file; errors name the file and the line.
    pub fn load(path: &Path) -> Result<Policy, PolicyError> {
        let text = std::fs::read_to_string(path)
            .map_err(|error| PolicyError(format!("cannot read {}: {error}", path.display())))?;
        Policy::parse(&text, &path.display().to_string())
    }

    pub fn parse(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        toml::from_str(text).map_err(|error| {
            let line = error
                .span()
                .map(|span| text[..span.start].matches('\n').count() + 1)
                .unwrap_or(1);
            PolicyError(format!("{origin}:{line}: {}", error.message()))
        })
    }

    /// One line per listener that breaks the policy.
    pub fn violations(&self, findings: &[Finding]) -> Vec<String> {
        let mut out = Vec::new();
        for finding in findings {
            let listener = &finding.listener;
            let port = listener.local.port();
            let who = describe(finding);
            if self.loopback_only.contains(&port) && finding.exposure != Exposure::Loopback {
                let mut line = format!(
                    "{who} must be loopback-only but listens on {} addresses",
                    match finding.exposure {
                        Exposure::All => "all",
                        _ => "a non-loopback",
                    }
                );
                if !finding.reachable() {
                    line.push_str(&format!(" ({}; bind 127.0.0.1 as well)", finding.reach()));
                }
                out.push(line);
            } else if !self.public.contains(&port)
                && !self.loopback_only.contains(&port)
                && finding.reachable()
            {
                out.push(format!(
                    "{who} is reachable from outside but its port is not in `public`"
                ));
            }
        }
        out
    }
}

/// `tcp 0.0.0.0:8081 (java 1234)`.
pub fn describe(finding: &Finding) -> String {
    let listener = &finding.listener;
    let owners: Vec<String> = listener
        .processes
        .iter()
        .map(|owner| format!("{} {}", owner.name, owner.pid))
        .collect();
    let mut text = format!("{} {}", listener.proto, listener.local);
    if !owners.is_empty() {
        text.push_str(&format!(" ({})", owners.join(", ")));
    }
    text
}
