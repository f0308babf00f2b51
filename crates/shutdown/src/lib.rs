//! The stop signal every server in this workspace waits for.
//!
//! `systemctl stop`, `docker stop` and `kill` ask a process to exit with
//! SIGTERM; a terminal sends SIGINT on Ctrl-C. Handling them is what turns
//! "kill" into "stop accepting, finish what is in flight, then exit".
//!
//! Call [`signal`] *before* you announce that you are listening. Until a
//! handler is installed, the signal's default action simply ends the
//! process, so a script that sends SIGTERM right after reading the
//! "listening" line would otherwise kill the server mid-sentence.

use std::future::Future;
use std::io;

/// Installs the handlers now and returns a future that completes on the
/// first Ctrl-C or SIGTERM.
#[cfg(unix)]
pub fn signal() -> io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    Ok(async move {
        tokio::select! {
            _ = interrupt.recv() => {}
            _ = terminate.recv() => {}
        }
    })
}

/// Elsewhere only Ctrl-C exists.
#[cfg(not(unix))]
pub fn signal() -> io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
