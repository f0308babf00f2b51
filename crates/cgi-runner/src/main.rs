//! `cgi-runner`: serve the executable scripts of a directory over CGI.
//!
//! ```text
//! cgi-runner --root playground/ch4/cgi-bin                 # http://127.0.0.1:8088
//! cgi-runner --root DIR --listen 127.0.0.1:9000 --mount /cgi-bin/ --timeout 5
//! ```

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;

/// Runs the executable files under --root as CGI scripts (RFC 3875), one
/// process per request, like Apache's `ScriptAlias` with mod_cgi.
#[derive(Debug, Parser)]
#[command(name = "cgi-runner", version)]
struct Cli {
    /// The directory of scripts. Only executable regular files inside it
    /// run; nothing is ever served as a file.
    #[arg(long, value_name = "DIR")]
    root: PathBuf,

    /// Address to listen on. Loopback by default: put a web server in front
    /// rather than exposing this one.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8088")]
    listen: SocketAddr,

    /// The URL prefix scripts live under, like `ScriptAlias /cgi-bin/ DIR`.
    #[arg(long, value_name = "PREFIX", default_value = "/")]
    mount: String,

    /// Seconds a script may stay silent between two pieces of output
    /// (Apache's `Timeout`) before it is killed.
    #[arg(long, value_name = "SECS", default_value_t = 60)]
    timeout: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    serverkit::init_logging("info");
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            serverkit::announce_err(format_args!("cgi-runner: error: {err:#}"));
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = cgi_runner::Config::new(&cli.root);
    config.mount = cli.mount;
    config.idle_timeout = Duration::from_secs(cli.timeout.max(1));
    let cgi = cgi_runner::Cgi::new(config, cgi_runner::Hooks::default())
        .with_context(|| format!("cannot use {} as the script directory", cli.root.display()))?;
    // Before announcing: a SIGTERM right after the line is never missed.
    let shutdown = shutdown::signal().context("cannot listen for Ctrl-C and SIGTERM")?;
    let running = cgi_runner::start(cli.listen, cgi.clone())
        .await
        .with_context(|| format!("cannot listen on {}", cli.listen))?;
    serverkit::announce(format_args!(
        "cgi-runner listening on http://{}\n  scripts:  {} at {}\n  timeout:  {:?} of silence",
        running.local_addr(),
        cgi.config().root.display(),
        cgi.config().mount,
        cgi.config().idle_timeout,
    ));
    shutdown.await;
    tracing::info!("shutting down: no new connections; finishing requests in flight");
    running.stop().await;
    tracing::info!("stopped");
    Ok(())
}
