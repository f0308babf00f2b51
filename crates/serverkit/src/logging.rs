//! Logs on stderr, set up the same way for every server.
//!
//! One `tracing` line per event, on stderr (stdout stays free for the few
//! lines a script may read, such as "listening on …"). `RUST_LOG` chooses
//! what to see; colour only when a person is looking at a terminal, so a log
//! file or a pipe gets plain text.
//!
//! One trap, checked in tracing-subscriber 0.3's source: when writing an
//! event fails (stderr is a closed pipe), `tracing_subscriber::fmt()` by
//! default reports that failure *with `eprintln!`*, to the same closed
//! stderr, and `eprintln!` panics on a failed write. That would turn
//! "nobody reads my logs" into "the server crashed". We switch that report
//! off: a log line that cannot be written is dropped, and serving goes on.

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// Installs the global logger: `RUST_LOG` if set, else `default_filter`
/// (e.g. `"info"`, or `"miniproxy=info,serverkit=info"`).
///
/// Call it once, at the start of `main`.
pub fn init_logging(default_filter: &str) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default_filter));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        // See the module comment: never `eprintln!` about a failed write.
        .log_internal_errors(false)
        .init();
}
