//! `demo-was`: run the sample application server from the command line.
//!
//! ```text
//! demo-was                          # http://127.0.0.1:8081, profile "local"
//! demo-was --port 8082 --profile green --version-label 2.0.0
//! DEMO_WAS_CONFIG=/etc/demo-was/prod.toml demo-was --profile prod
//! demo-was config --show --profile prod   # every value, and its layer
//! ```
//!
//! All the serving happens in the library; this file only gathers where
//! settings come from (flags, and the process environment: the one place
//! the real environment is read) into [`demo_was::config::Sources`], sets up
//! logging, and waits for Ctrl-C or SIGTERM to shut the server down
//! gracefully.

use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use demo_was::config::{self, Sources};

/// The sample web application server (WAS) of Deploy Workbook.
///
/// Serves a few dynamic pages (/, /hello?name=X, /time, /headers), and the
/// endpoints a deploy needs (/health, /profile, /version). Every response
/// carries `Server: demo-was/<version>` and `X-Profile: <profile>`, so you
/// can tell which copy answered.
#[derive(Debug, Parser)]
#[command(name = "demo-was", version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Address to listen on [default: 127.0.0.1:8081].
    ///
    /// The default is loopback-only: programs on this machine (such as a
    /// proxy in front) can connect, the network cannot. Use 0.0.0.0:PORT
    /// only if you mean to expose the server to every network it is on.
    #[arg(long, global = true, value_name = "ADDR", conflicts_with = "port")]
    listen: Option<SocketAddr>,

    /// Shorthand for --listen 127.0.0.1:N (0 picks any free port).
    #[arg(long, global = true, value_name = "N")]
    port: Option<u16>,

    /// Name of this copy, e.g. blue or green; shown in the greeting, at
    /// /profile and in the X-Profile header; picks the [profile.NAME]
    /// sections of the config files [default: $DEMO_WAS_PROFILE, or local].
    #[arg(long, global = true, value_name = "NAME")]
    profile: Option<String>,

    /// Version shown at /version and in the Server header [default: the
    /// crate's version].
    #[arg(long, global = true, value_name = "V")]
    version_label: Option<String>,

    /// The in-repo config file [default: demo-was.toml, if it exists].
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,

    /// The external config file, outside the repo: this machine's values and
    /// secrets [default: $DEMO_WAS_CONFIG]. In prod it must be mode 0600.
    #[arg(long, global = true, value_name = "FILE")]
    external_config: Option<PathBuf>,

    /// Set one setting, beating every file and variable (repeatable):
    /// --set database.ddl-auto=validate. Not for secrets.
    /// (Checked after parsing, not by clap: clap's error would echo the
    /// value, and a secret typed here by mistake must not be printed.)
    #[arg(long = "set", global = true, value_name = "KEY=VALUE")]
    set: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Inspect the configuration without starting the server.
    Config {
        /// Print every effective value and the layer it came from (secrets
        /// masked).
        #[arg(long)]
        show: bool,
    },
}

impl Cli {
    /// Where the settings come from: these flags, and `env`.
    fn sources(&self, env: std::collections::BTreeMap<String, String>) -> anyhow::Result<Sources> {
        let mut flags = Vec::new();
        match (self.listen, self.port) {
            (Some(addr), _) => flags.push(("--listen".into(), "listen".into(), addr.to_string())),
            (None, Some(port)) => {
                let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
                flags.push(("--port".into(), "listen".into(), addr.to_string()));
            }
            (None, None) => {}
        }
        if let Some(version) = &self.version_label {
            flags.push(("--version-label".into(), "version".into(), version.clone()));
        }
        for text in &self.set {
            let (key, value) =
                config::parse_set(text).map_err(|why| anyhow::anyhow!("--set: {why}"))?;
            flags.push(("--set".into(), key, value));
        }
        let repo_file = self.config.clone().or_else(|| {
            let default = PathBuf::from("demo-was.toml");
            default.is_file().then_some(default)
        });
        Ok(Sources {
            profile: self.profile.clone(),
            repo_file,
            external_file: self.external_config.clone(),
            env,
            flags,
        })
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    // The only place the real process environment is read.
    let env = std::env::vars()
        .filter(|(name, _)| name.starts_with("DEMO_WAS_"))
        .collect();
    let result = match (cli.sources(env), cli.command) {
        (Err(error), _) => Err(error),
        (Ok(sources), Some(Command::Config { show })) => show_config(&sources, show),
        (Ok(sources), None) => run(&sources).await,
    };
    match result {
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

/// `demo-was config --show`: load and guard exactly as a start would, then
/// print instead of serving.
fn show_config(sources: &Sources, show: bool) -> anyhow::Result<()> {
    let loaded = config::load(sources, config::Hooks::default())?;
    if show {
        serverkit::announce(format_args!("{}", loaded.show().trim_end()));
    } else {
        serverkit::announce(format_args!(
            "configuration OK (profile {}); --show prints it",
            loaded.profile
        ));
    }
    Ok(())
}

async fn run(sources: &Sources) -> anyhow::Result<()> {
    // Set up the signal handler before starting, so a SIGTERM that arrives
    // right after the "listening" line is never missed.
    let shutdown = shutdown::signal().context("cannot listen for Ctrl-C and SIGTERM")?;

    let (running, loaded) = demo_was::launch(sources, config::Hooks::default())
        .await
        .map_err(|error| {
            let hint = if error.0.starts_with("cannot listen") {
                " (is another server using that port? pick another with --port)"
            } else {
                ""
            };
            anyhow::anyhow!("{error}{hint}")
        })?;
    if let Some(database) = &loaded.config.database {
        tracing::info!(
            "database {} (ddl-auto {} from {})",
            database.path.display(),
            database.ddl_auto,
            database.ddl_auto_source
        );
    }
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
