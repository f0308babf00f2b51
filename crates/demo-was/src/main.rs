//! `demo-was`: run the sample application server from the command line.
//!
//! ```text
//! demo-was                          # http://127.0.0.1:8081, profile "local"
//! demo-was --port 8082 --profile green --version-label 2.0.0
//! ```
//!
//! All the serving happens in the library; this file only turns command-line
//! flags into [`demo_was::Options`], sets up logging, and waits for Ctrl-C or
//! SIGTERM to shut the server down gracefully.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use anyhow::Context;
use clap::Parser;

/// The sample web application server (WAS) of Deploy Workbook.
///
/// Serves a few dynamic pages (/, /hello?name=X, /time, /headers), and the
/// endpoints a deploy needs (/health, /profile, /version). Every response
/// carries `Server: demo-was/<version>` and `X-Profile: <profile>`, so you
/// can tell which copy answered.
#[derive(Debug, Parser)]
#[command(name = "demo-was", version)]
struct Cli {
    /// Address to listen on [default: 127.0.0.1:8081].
    ///
    /// The default is loopback-only: programs on this machine (such as a
    /// proxy in front) can connect, the network cannot. Use 0.0.0.0:PORT
    /// only if you mean to expose the server to every network it is on.
    #[arg(long, value_name = "ADDR", conflicts_with = "port")]
    listen: Option<SocketAddr>,

    /// Shorthand for --listen 127.0.0.1:N (0 picks any free port).
    #[arg(long, value_name = "N")]
    port: Option<u16>,

    /// Name of this copy, e.g. blue or green; shown in the greeting, at
    /// /profile and in the X-Profile header.
    #[arg(long, value_name = "NAME", default_value = "local")]
    profile: String,

    /// Version shown at /version and in the Server header [default: the
    /// crate's version].
    #[arg(long, value_name = "V")]
    version_label: Option<String>,
}

impl Cli {
    fn options(self) -> demo_was::Options {
        let defaults = demo_was::Options::default();
        let listen = match (self.listen, self.port) {
            (Some(addr), _) => addr,
            (None, Some(port)) => SocketAddr::from((Ipv4Addr::LOCALHOST, port)),
            (None, None) => defaults.listen,
        };
        demo_was::Options {
            listen,
            profile: self.profile,
            version: self.version_label.unwrap_or(defaults.version),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match run(cli.options()).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole chain of causes on one line:
            // "cannot listen on ...: Address already in use (os error 98)".
            // `announce_err`, not `eprintln!`, which panics when stderr
            // is a closed pipe.
            serverkit::announce_err(format_args!("demo-was: error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

async fn run(options: demo_was::Options) -> anyhow::Result<()> {
    let listen = options.listen;
    // Set up the signal handler before starting, so a SIGTERM that arrives
    // right after the "listening" line is never missed.
    let shutdown = shutdown::signal().context("cannot listen for Ctrl-C and SIGTERM")?;

    let running = demo_was::start(options).await.with_context(|| {
        format!("cannot listen on {listen} (is another server using that port? pick another with --port)")
    })?;
    tracing::info!(
        "demo-was (profile {}) listening on http://{}",
        running.profile(),
        running.local_addr()
    );

    shutdown.await;
    tracing::info!("shutting down: no new connections; finishing requests in flight");
    running.stop().await;
    tracing::info!("stopped");
    Ok(())
}

/// Log to stderr, one line per event. `RUST_LOG` picks what to see:
/// `info` by default; `RUST_LOG=debug` adds health checks and connection
/// errors. A closed stderr silences the log; it never stops the server.
fn init_logging() {
    serverkit::init_logging("info");
}
