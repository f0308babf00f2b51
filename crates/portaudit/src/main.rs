//! The `portaudit` command. See the library's documentation for the idea;
//! this file only turns arguments into calls and results into output.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Parser, Subcommand};

use portaudit::{audit, iptables, policy::Policy, report, snapshot, ufw, Hooks, Rules};

/// Who can reach your ports? Lists listening TCP and UDP sockets (like
/// `ss -lntup`), how far each one's address lets connections in, and what
/// the firewall rules decide. Only reads; never changes anything.
#[derive(Parser)]
#[command(version)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// One JSON object per listener, one per line.
    #[arg(long, global = true)]
    json: bool,

    /// Firewall rules in portaudit's ufw-like format (`default deny`,
    /// `allow 22/tcp`, `deny from CIDR to port N proto tcp`).
    #[arg(long, global = true, value_name = "FILE", conflicts_with = "iptables")]
    rules: Option<PathBuf>,

    /// Read the firewall rules from `iptables -S INPUT` (needs root).
    #[arg(long, global = true, conflicts_with = "ufw")]
    iptables: bool,

    /// Read the firewall rules from `ufw status verbose` (needs root), or,
    /// with a FILE, from a saved copy of that output.
    #[arg(long, global = true, value_name = "FILE", num_args = 0..=1, default_missing_value = "-", conflicts_with = "rules")]
    ufw: Option<PathBuf>,

    /// The outside address the firewall rules are judged for.
    #[arg(long, global = true, value_name = "ADDR", default_value_t = audit::OUTSIDE)]
    from: IpAddr,

    /// Read saved copies of /proc/net/{tcp,tcp6,udp,udp6} from DIR instead
    /// of this machine's live tables (no owners in copies).
    #[arg(long = "proc", global = true, value_name = "DIR")]
    proc_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Check the listeners against a policy: one line per violation, and
    /// exit status 1 if there is any.
    Check {
        /// TOML: `public = [80, 443, 22]`, `loopback_only = [8081, 3306]`.
        policy: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("portaudit: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let hooks = Hooks::default();
    // Read the policy first: a typo in it should not wait for a scan.
    let policy = match &cli.command {
        Some(Command::Check { policy }) => Some(Policy::load(policy)?),
        None => None,
    };
    let rules = load_rules(&cli)?;
    let listeners = match &cli.proc_dir {
        Some(dir) => snapshot::read(dir, &hooks)?,
        None => portaudit::live::listeners().context("reading /proc/net")?,
    };
    let findings = audit::assess(listeners, rules.as_ref(), cli.from, &hooks);

    if let Some(policy) = policy {
        let violations = policy.violations(&findings);
        for violation in &violations {
            println!("{violation}");
        }
        if violations.is_empty() {
            println!("ok: {} listeners, no violations", findings.len());
            return Ok(ExitCode::SUCCESS);
        }
        return Ok(ExitCode::FAILURE);
    }
    if cli.json {
        for finding in &findings {
            println!("{}", report::json_line(finding));
        }
    } else {
        print!("{}", report::table(&findings));
    }
    Ok(ExitCode::SUCCESS)
}

fn load_rules(cli: &Cli) -> anyhow::Result<Option<Rules>> {
    if let Some(path) = &cli.rules {
        return Ok(Some(Rules::load(path)?));
    }
    let imported = match (&cli.ufw, cli.iptables) {
        (Some(saved), _) if saved.as_os_str() != "-" => {
            let text = std::fs::read_to_string(saved)
                .with_context(|| format!("cannot read {}", saved.display()))?;
            ufw::import(&text).map_err(|error| anyhow::anyhow!("{}: {error}", saved.display()))?
        }
        (Some(_), _) => ufw::import(&command_output("ufw", &["status", "verbose"])?)
            .map_err(|error| anyhow::anyhow!("ufw status verbose: {error}"))?,
        (None, true) => iptables::import(&command_output("iptables", &["-S", "INPUT"])?)
            .map_err(|error| anyhow::anyhow!("iptables -S: {error}"))?,
        (None, false) => return Ok(None),
    };
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    Ok(Some(imported.rules))
}

/// Runs a firewall's own status command and returns what it printed.
fn command_output(program: &str, args: &[&str]) -> anyhow::Result<String> {
    let shown = format!("{program} {}", args.join(" "));
    let output = std::process::Command::new(program)
        .args(args)
        .output()
        .with_context(|| format!("running `{shown}`"))?;
    anyhow::ensure!(
        output.status.success(),
        "`{shown}` failed: {}",
        String::from_utf8_lossy(&output.stderr).trim()
    );
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}
