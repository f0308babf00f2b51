//! The `miniproxy` command: a web server in front of an application server.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Parser;
use miniproxy::access_log::Destination;
use miniproxy::config::{normalize_extension, parse_listen};
use miniproxy::upstream::parse_server;
use miniproxy::{Config, Hooks};
use miniproxy::{PoolConfig, Strategy};
use serverkit::{announce, announce_err};

/// A small web server and reverse proxy: static files from disk, everything
/// else forwarded to an application server.
#[derive(Parser, Debug, Clone)]
#[command(version, after_help = EXAMPLES)]
struct Cli {
    /// TOML config file; flags given next to it override its values.
    #[arg(long, short)]
    config: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1:8080, loopback only].
    #[arg(long)]
    listen: Option<String>,
    /// Serve static files from this directory.
    #[arg(long)]
    root: Option<PathBuf>,
    /// Forward dynamic requests to this application server (host:port,
    /// optionally "host:port weight=N"); repeat it for a pool.
    #[arg(long, value_name = "ADDR")]
    upstream: Vec<String>,
    /// How a pool spreads requests: round-robin or least-connections.
    #[arg(long, value_parser = ["round-robin", "least-connections"])]
    strategy: Option<String>,
    /// A path prefix served from disk, e.g. /static/ (repeatable).
    #[arg(long = "static-prefix", value_name = "PREFIX")]
    static_prefixes: Vec<String>,
    /// File extensions served from disk, e.g. css,js,png.
    #[arg(long = "static-ext", value_name = "EXT", value_delimiter = ',')]
    static_extensions: Vec<String>,
    /// Where the access log goes: stdout (the default), off, or a file.
    #[arg(long = "access-log", value_name = "stdout|off|FILE")]
    access_log: Option<String>,
    /// Check the configuration, print what it means, and exit.
    #[arg(long)]
    check: bool,
    /// Serve the admin API (switch upstreams live) on this loopback address;
    /// off unless given. SIGHUP re-reads the config either way.
    #[arg(long, value_name = "127.0.0.1:PORT")]
    admin: Option<std::net::SocketAddr>,
}

const EXAMPLES: &str = "\
Examples:
  miniproxy --config playground/ch1/miniproxy.toml
  miniproxy --root public --upstream 127.0.0.1:9000 --static-prefix /static/ --static-ext css,js
  miniproxy --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002 --strategy least-connections
  miniproxy --root book/build --listen 127.0.0.1:3000
  miniproxy --check --config miniproxy.toml";

#[tokio::main]
async fn main() {
    // Logs go to stderr (stdout carries the few lines a script may read),
    // and a closed stderr silences them without stopping the server.
    serverkit::init_logging("miniproxy=info,serverkit=info");
    if let Err(error) = run(Cli::parse()).await {
        announce_err(format_args!("miniproxy: {error:#}"));
        std::process::exit(1);
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = build_config(&cli)?;
    if cli.check {
        announce(format_args!(
            "{}: OK",
            cli.config
                .as_ref()
                .map_or("flags".into(), |p| p.display().to_string())
        ));
        announce(describe(&config));
        return Ok(());
    }

    // Each connection is a file descriptor; the soft limit is often 1024.
    match serverkit::raise_open_files_limit() {
        Ok(limit) => tracing::debug!("open files limit: {limit}"),
        Err(error) => tracing::warn!("cannot raise the open files limit: {error}"),
    }
    // Listen for SIGTERM before saying "listening": a script that stops us
    // right after reading that line must get a graceful stop, not a kill.
    let stop_signal = shutdown::signal().context("cannot listen for Ctrl-C and SIGTERM")?;
    let (running, live) = miniproxy::start_live(config.clone(), Hooks::default())
        .await
        .with_context(|| format!("cannot listen on {}", config.listen))?;
    let reload_cli = cli.clone();
    miniproxy::reload::on_hangup(live.clone(), config.clone(), move || {
        build_config(&reload_cli).map_err(|e| format!("{e:#}"))
    })
    .context("cannot listen for SIGHUP")?;
    let admin = match cli.admin {
        Some(addr) => Some(
            miniproxy::admin::start(addr, live)
                .await
                .with_context(|| format!("admin API on {addr}"))?,
        ),
        None => None,
    };
    // `announce`, not `println!`: with stdout closed (`miniproxy | head -1`)
    // `println!` would panic and take the server down with it.
    announce(format_args!(
        "miniproxy listening on http://{}",
        running.local_addr()
    ));
    announce(describe(&config));
    if let Some(admin) = &admin {
        announce(format_args!(
            "  admin:    http://{} (loopback only)",
            admin.local_addr()
        ));
    }

    stop_signal.await;
    announce("stopping: finishing requests in flight");
    running.stop().await;
    Ok(())
}

/// The config file first, then flags on top: the usual precedence.
fn build_config(cli: &Cli) -> anyhow::Result<Config> {
    let mut config = match &cli.config {
        Some(path) => Config::load(path)?,
        // The command logs to stdout unless told otherwise, like nginx.
        None => Config {
            access_log: Destination::Stdout,
            ..Config::default()
        },
    };
    if let Some(listen) = &cli.listen {
        config.listen = parse_listen(listen)
            .map_err(anyhow::Error::msg)
            .context("--listen")?;
    }
    if let Some(root) = &cli.root {
        config.root = Some(root.clone());
    }
    if !cli.upstream.is_empty() {
        let servers = cli
            .upstream
            .iter()
            .map(|text| parse_server(text))
            .collect::<Result<Vec<_>, _>>()
            .map_err(anyhow::Error::msg)
            .context("--upstream")?;
        // Flags replace the file's servers and keep its other pool settings.
        let mut pool = config
            .upstream
            .take()
            .unwrap_or_else(|| PoolConfig::single(servers[0].authority.clone()));
        pool.servers = servers;
        config.upstream = Some(pool);
    }
    if let Some(strategy) = &cli.strategy {
        let Some(pool) = config.upstream.as_mut() else {
            bail!("--strategy needs an upstream pool (--upstream or [upstream] in the config)");
        };
        pool.strategy = match strategy.as_str() {
            "least-connections" => Strategy::LeastConnections,
            _ => Strategy::RoundRobin,
        };
    }
    if !cli.static_prefixes.is_empty() {
        config.static_rules.prefixes = cli.static_prefixes.clone();
    }
    if !cli.static_extensions.is_empty() {
        config.static_rules.extensions = cli
            .static_extensions
            .iter()
            .map(|e| normalize_extension(e))
            .collect();
    }
    if let Some(access_log) = &cli.access_log {
        config.access_log = Destination::parse(access_log, std::path::Path::new(""));
    }
    if let Err(message) = config.check() {
        bail!(message);
    }
    Ok(config)
}

/// One readable paragraph of what the config does.
fn describe(config: &Config) -> String {
    let mut lines = vec![format!("  listen:   {}", config.listen)];
    if let Some(root) = &config.root {
        lines.push(format!("  static:   {} (files from disk)", root.display()));
        if config.upstream.is_some() {
            lines.push(format!(
                "            for prefixes {:?} and extensions {:?}",
                config.static_rules.prefixes, config.static_rules.extensions
            ));
        }
    }
    if let Some(pool) = &config.upstream {
        match pool.servers.as_slice() {
            [one] if one.weight == 1 => lines.push(format!(
                "  dynamic:  everything else -> http://{}",
                one.authority
            )),
            servers => {
                lines.push(format!(
                    "  dynamic:  everything else -> pool {} ({})",
                    pool.name,
                    match pool.strategy {
                        Strategy::RoundRobin => "round-robin",
                        Strategy::LeastConnections => "least-connections",
                    }
                ));
                for server in servers {
                    lines.push(format!("            http://{server}"));
                }
            }
        }
        if let Some(check) = &pool.active {
            lines.push(format!(
                "  health:   GET {} every {} ms (down after {} failures, up after {} passes)",
                check.path, check.interval_ms, check.fall, check.rise
            ));
        }
    }
    for route in &config.routes {
        lines.push(format!(
            "  route:    {} -> pool {}",
            route.prefix, route.upstream
        ));
    }
    lines.push(format!("  log:      {} (access log)", config.access_log));
    if !config.listen.ip().is_loopback() {
        lines.push("  warning:  listening beyond loopback: other machines can connect".into());
    }
    lines.join("\n")
}
