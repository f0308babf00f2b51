//! The `miniproxy` command: a web server in front of an application server.

use std::path::PathBuf;

use anyhow::{bail, Context};
use clap::Parser;
use miniproxy::access_log::Destination;
use miniproxy::config::{normalize_extension, parse_listen, SiteConfig};
use miniproxy::sites::{select_site, SiteNames};
use miniproxy::upstream::parse_server;
use miniproxy::{Config, Hooks};
use miniproxy::{PoolConfig, Strategy};
use serverkit::{announce, announce_err};

/// A small web server and reverse proxy: static files from disk, everything
/// else forwarded to an application server.
#[derive(Parser, Debug, Clone)]
#[command(version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
struct Cli {
    #[cfg(feature = "tls")]
    #[command(subcommand)]
    command: Option<Command>,
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
    /// Worker threads that accept and serve, each with its own event loop
    /// [default: one per core, like nginx's `worker_processes auto`].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    workers: Option<u16>,
    /// Connections served at once; more wait in the kernel's queue
    /// [default: 1024, like nginx's `worker_connections`].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: Option<u32>,
}

/// What else the command does besides serving.
#[cfg(feature = "tls")]
#[derive(clap::Subcommand, Debug, Clone)]
enum Command {
    /// A local certificate authority, like mkcert: makes the CA once (in
    /// --dir), then a certificate and key per NAME signed by it.
    Cert {
        /// Where the CA and the certificates go (keys are written 0600).
        #[arg(long, default_value = "certs")]
        dir: PathBuf,
        /// Site names (app1.localhost, *.example.test, 127.0.0.1): one
        /// certificate each.
        #[arg(required = true)]
        names: Vec<String>,
    },
}

const EXAMPLES: &str = "\
Examples:
  miniproxy --config playground/ch1/miniproxy.toml
  miniproxy --root public --upstream 127.0.0.1:9000 --static-prefix /static/ --static-ext css,js
  miniproxy --upstream 127.0.0.1:9001 --upstream 127.0.0.1:9002 --strategy least-connections
  miniproxy --root book/build --listen 127.0.0.1:3000
  miniproxy --check --config miniproxy.toml
  miniproxy cert --dir certs app1.localhost app2.localhost   (with --features tls)";

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
    #[cfg(feature = "tls")]
    if let Some(command) = &cli.command {
        return run_command(command);
    }
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
    let servers = miniproxy::start_servers(config.clone(), Hooks::default())
        .await
        .with_context(|| match &config.https {
            Some(https) => format!("cannot listen on {} and {}", config.listen, https.listen),
            None => format!("cannot listen on {}", config.listen),
        })?;
    let live = servers.live.clone();
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
        servers.http.local_addr()
    ));
    if let Some(https) = servers.https_addr() {
        announce(format_args!("miniproxy listening on https://{https}"));
    }
    announce(describe(&config));
    if let Some(admin) = &admin {
        announce(format_args!(
            "  admin:    http://{} (loopback only)",
            admin.local_addr()
        ));
    }

    stop_signal.await;
    announce("stopping: finishing requests in flight");
    servers.stop().await;
    Ok(())
}

/// `miniproxy cert …`.
#[cfg(feature = "tls")]
fn run_command(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Cert { dir, names } => {
            use miniproxy::tls::local_ca;
            let (ca, _) = local_ca::ca_paths(dir);
            if local_ca::ensure_ca(dir)? {
                announce(format_args!("created a local CA: {}", ca.display()));
            } else {
                announce(format_args!("using the local CA in {}", ca.display()));
            }
            for name in names {
                let (cert, key) = local_ca::issue(dir, std::slice::from_ref(name))?;
                announce(format_args!(
                    "{name}: {} and {} (0600)",
                    cert.display(),
                    key.display()
                ));
            }
            announce(local_ca::how_to_trust(dir));
            Ok(())
        }
    }
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
    config.workers = match cli.workers {
        Some(n) => usize::from(n),
        None => std::thread::available_parallelism().map_or(1, usize::from),
    };
    if let Some(n) = cli.max_connections {
        config.max_connections = n as usize;
    }
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
    if config.sites.is_empty() {
        describe_site(&mut lines, &config.effective_sites()[0]);
    } else {
        for site in &config.sites {
            let default = if site.default { " (default)" } else { "" };
            lines.push(format!("  site:     {}{default}", site.name));
            describe_site(&mut lines, site);
        }
        describe_names(&mut lines, config);
    }
    if let Some(https) = &config.https {
        describe_https(&mut lines, config, https);
    }
    lines.push(format!("  log:      {} (access log)", config.access_log));
    if !config.listen.ip().is_loopback() {
        lines.push("  warning:  listening beyond loopback: other machines can connect".into());
    }
    lines.join("\n")
}

/// Which site each name goes to, decided by the very functions the server
/// runs (`normalize_host`, `select_site`), so `--check` cannot disagree
/// with it. A wildcard is shown with a sample name under it.
fn describe_names(lines: &mut Vec<String>, config: &Config) {
    let names: Vec<SiteNames> = config
        .sites
        .iter()
        .map(|site| SiteNames {
            names: site.names.clone(),
            default: site.default,
        })
        .collect();
    let goes_to = |host: Option<&str>| match select_site(&names, host) {
        Some(index) => format!("site {}", config.sites[index].name),
        None => "421 Misdirected Request (no default site)".to_string(),
    };
    lines.push("  names:".into());
    for site in &config.sites {
        for name in &site.names {
            let probe = match name.strip_prefix('*') {
                Some(suffix) => format!("www{suffix}"),
                None => name.clone(),
            };
            let shown = if probe == *name {
                name.clone()
            } else {
                format!("{name} (e.g. {probe})")
            };
            lines.push(format!("            {shown} -> {}", goes_to(Some(&probe))));
        }
    }
    lines.push(format!(
        "            any other name, or none -> {}",
        goes_to(None)
    ));
}

/// Where HTTPS listens and which certificate each site has, with the
/// names it covers and when it expires (read from the files: `--check`
/// shows what will really be served).
fn describe_https(
    lines: &mut Vec<String>,
    config: &Config,
    https: &miniproxy::config::HttpsConfig,
) {
    lines.push(format!(
        "  https:    {} (TLS 1.2 and 1.3; h2, http/1.1)",
        https.listen
    ));
    for (site, tls) in config.sites.iter().zip(&https.sites) {
        let mut notes = Vec::new();
        if tls.redirect {
            notes.push("http -> https (308)".to_string());
        }
        if let Some(age) = tls.hsts_max_age {
            notes.push(format!("HSTS max-age={age}"));
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!("; {}", notes.join(", "))
        };
        match &tls.cert {
            Some((cert, _)) => lines.push(format!(
                "            site {}: {}{}{notes}",
                site.name,
                cert.display(),
                certificate_summary(cert)
            )),
            None => lines.push(format!(
                "            site {}: no certificate of its own{notes}",
                site.name
            )),
        }
    }
}

#[cfg(feature = "tls")]
fn certificate_summary(cert: &std::path::Path) -> String {
    // `check` has already loaded it with its key; this reads its names and date.
    match miniproxy::tls::certs::info(cert) {
        Ok(info) => format!(
            " (for {}; expires {})",
            info.names.join(", "),
            info.not_after_text
        ),
        Err(error) => format!(" ({error})"),
    }
}

#[cfg(not(feature = "tls"))]
fn certificate_summary(_cert: &std::path::Path) -> String {
    String::new()
}

/// What one site serves.
fn describe_site(lines: &mut Vec<String>, site: &SiteConfig) {
    if !site.names.is_empty() {
        lines.push(format!("            names {}", site.names.join(", ")));
    }
    if let Some(root) = &site.root {
        lines.push(format!("  static:   {} (files from disk)", root.display()));
        if site.upstream.is_some() {
            lines.push(format!(
                "            for prefixes {:?} and extensions {:?}",
                site.static_rules.prefixes, site.static_rules.extensions
            ));
        }
    }
    if let Some(pool) = &site.upstream {
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
    for route in &site.routes {
        lines.push(format!(
            "  route:    {} -> pool {}",
            route.prefix, route.upstream
        ));
    }
    if !site.names.is_empty() && (site.upstream.is_some() || !site.routes.is_empty()) {
        let reverse = if site.proxy_pass_reverse {
            "redirects to an upstream get the name the client used"
        } else {
            "off (redirects pass unchanged)"
        };
        lines.push(format!("  reverse:  {reverse}"));
        if let Some(domain) = &site.cookie_domain {
            lines.push(format!("            cookie Domain=<upstream> -> {domain}"));
        }
    }
}
