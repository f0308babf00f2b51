//! What you can choose when you start a demo-was.

use std::net::{Ipv4Addr, SocketAddr};

/// The port demo-was listens on when you don't say otherwise.
///
/// 8081 rather than 8080: in the book, the proxy in front usually takes 8080
/// (or 80), and the application servers behind it take the ports after it —
/// blue on 8081, green on 8082.
pub const DEFAULT_PORT: u16 = 8081;

/// How to start a server. Start from [`Options::default()`] and change what
/// you need:
///
/// ```ignore
/// let green = demo_was::Options { profile: "green".into(), ..Default::default() };
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The address and port to listen on. Port 0 asks the operating system
    /// for any free port; [`Running::local_addr`](crate::Running::local_addr)
    /// then tells you which one it chose.
    ///
    /// The default is `127.0.0.1:8081`: the loopback address, so only
    /// programs on this machine (such as a proxy) can connect. Listening on
    /// `0.0.0.0` would let the whole network reach the application directly,
    /// around the proxy — a choice you should make on purpose, never by
    /// accident.
    pub listen: SocketAddr,

    /// A name for this copy of the application, shown in the greeting, at
    /// `/profile` and in the `X-Profile` header. Blue/green deploys run two
    /// copies side by side, named `blue` and `green`; the profile is how you
    /// see which one answered. Default: `local`.
    pub profile: String,

    /// The version label shown at `/version` and in the `Server` header.
    /// Default: this crate's version. A deploy demo starts the new copy with
    /// a new label, so you can watch the answer change when traffic switches.
    pub version: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, DEFAULT_PORT)),
            profile: "local".to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

impl Options {
    /// Loopback, on any free port (port 0), with this profile: what tests
    /// and labs want, so that two copies never fight over a port.
    pub fn on_free_port(profile: &str) -> Options {
        Options {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            profile: profile.to_string(),
            ..Options::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_listens_on_loopback_only() {
        let options = Options::default();
        assert!(options.listen.ip().is_loopback());
        assert_eq!(options.listen.port(), 8081);
        assert_eq!(options.profile, "local");
        assert_eq!(options.version, env!("CARGO_PKG_VERSION"));
    }
}
