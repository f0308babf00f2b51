//! SIGHUP: read the config again, without a restart (nginx's `-s reload`).
//!
//! The new config is read and checked in full first. A config with a
//! mistake is refused, with the reason (`miniproxy.toml:7:12: ...`), and the
//! old one keeps serving: a typo must never take a running site down. A
//! good one replaces the upstream pools at once (see [`crate::live`]).
//! What only a restart can change (the listening address, the web root,
//! the static rules, the access log) is named, not silently ignored.

use std::sync::Arc;

use serverkit::{announce, announce_err};
use tokio::signal::unix::{signal, SignalKind};

use crate::config::Config;
use crate::live::Live;

/// What one reload did, in one line.
pub fn reload(
    live: &Live,
    running: &Config,
    load: &dyn Fn() -> Result<Config, String>,
) -> Result<String, String> {
    let refused = |why: String| format!("reload refused, still serving the previous config: {why}");
    let new = load().map_err(refused)?;
    // Every certificate is read and checked before anything changes: a bad
    // new one (a key that does not match, an expired certificate) refuses
    // the whole reload, and the old certificates keep serving.
    #[cfg(feature = "tls")]
    let certs = crate::tls::CertTable::load(&new).map_err(|e| refused(e.to_string()))?;
    live.apply(&new);
    #[cfg(feature = "tls")]
    let certificates = {
        let count = certs.certs.len();
        live.certs.replace(certs);
        count
    };
    let mut restart = Vec::new();
    if new.listen != running.listen {
        restart.push("listen");
    }
    if new.root != running.root {
        restart.push("root");
    }
    if new.static_rules != running.static_rules {
        restart.push("[static]");
    }
    if new.access_log != running.access_log {
        restart.push("access_log");
    }
    if new.https.as_ref().map(|h| h.listen) != running.https.as_ref().map(|h| h.listen) {
        restart.push("listen_https");
    }
    let redirects = |config: &Config| {
        config.https.as_ref().map(|h| {
            h.sites
                .iter()
                .map(|s| (s.redirect, s.hsts_max_age))
                .collect::<Vec<_>>()
        })
    };
    if redirects(&new) != redirects(running) {
        restart.push("redirect_to_https, hsts_max_age");
    }
    let mut line = "reloaded: upstream pools and routes are the new config's".to_string();
    #[cfg(feature = "tls")]
    if certificates > 0 {
        line.push_str(&format!(", and {certificates} certificate(s) read again"));
    }
    if !restart.is_empty() {
        line.push_str(&format!(
            "; {} changed and take a restart",
            restart.join(", ")
        ));
    }
    Ok(line)
}

/// Reloads on every SIGHUP, for as long as the server runs.
pub fn on_hangup(
    live: Arc<Live>,
    running: Config,
    load: impl Fn() -> Result<Config, String> + Send + Sync + 'static,
) -> std::io::Result<tokio::task::JoinHandle<()>> {
    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            match reload(&live, &running, &load) {
                Ok(line) => announce(line),
                Err(line) => announce_err(line),
            }
        }
    }))
}
