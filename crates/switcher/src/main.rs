//! The `switcher` command: blue/green deploys behind miniproxy or nginx.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Parser, Subcommand};
use switcher::{Front, Hooks, Patience, Settings, Slot};

/// Blue/green deploys: start the new version in the idle slot, wait until
/// it is healthy, switch the front proxy, drain and stop the old one.
#[derive(Parser, Debug)]
#[command(version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Action,
    /// miniproxy's admin API address (127.0.0.1:PORT).
    #[arg(long, global = true, conflicts_with = "nginx_include")]
    miniproxy: Option<String>,
    /// With --miniproxy: switch this route's pool instead of the default one.
    #[arg(long, global = true)]
    route: Option<String>,
    /// nginx's included file that names the live port.
    #[arg(long, global = true)]
    nginx_include: Option<PathBuf>,
    /// The include file's contents, `{port}` where the port goes.
    #[arg(long, global = true, default_value = switcher::front::NGINX_TEMPLATE)]
    nginx_template: String,
    /// The nginx command (with -p/-c to pick the instance), split at spaces.
    #[arg(long, global = true, default_value = "nginx")]
    nginx: String,
    /// nginx's pid file: a switch then waits for the old workers to exit.
    #[arg(long, global = true)]
    nginx_pid: Option<PathBuf>,
    /// A slot NAME:PORT[:PROFILE]; give two or more [default: blue:8081 green:8082].
    #[arg(long = "slot", global = true)]
    slots: Vec<String>,
    /// Where state.json, the lock and deploy.log live.
    #[arg(long, global = true, default_value = ".switcher")]
    state_dir: PathBuf,
    /// The health endpoint of the app.
    #[arg(long, global = true, default_value = "/health")]
    health: String,
    /// How long the new version has to turn healthy, in seconds.
    #[arg(long, global = true, default_value_t = 30.0)]
    health_deadline: f64,
    /// Pause between two health checks, in milliseconds.
    #[arg(long, global = true, default_value_t = 500)]
    health_interval_ms: u64,
    /// How long the old version keeps running after the switch, in milliseconds.
    #[arg(long, global = true, default_value_t = 2000)]
    drain_ms: u64,
    /// How long SIGTERM may take before SIGKILL, in seconds.
    #[arg(long, global = true, default_value_t = 10.0)]
    grace: f64,
}

#[derive(Subcommand, Debug)]
enum Action {
    /// Deploy: `switcher deploy -- demo-was --port {port} --profile {profile}`.
    Deploy {
        /// The command that starts the new version; {port}, {profile} and
        /// {slot} are replaced (also in $SWITCHER_PORT, ...).
        #[arg(last = true, required = true)]
        command: Vec<String>,
    },
    /// Back to the previous version.
    Rollback,
    /// What is live, what ran before.
    Status,
}

const EXAMPLES: &str = "\
Examples:
  switcher --miniproxy 127.0.0.1:9090 deploy -- demo-was --port {port} --profile {profile} --version-label 2.0
  switcher --nginx-include /etc/nginx/conf.d/service-url.inc deploy -- ./start.sh
  switcher --miniproxy 127.0.0.1:9090 rollback
  switcher --miniproxy 127.0.0.1:9090 status";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = settings(&cli).and_then(|settings| {
        let hooks = Hooks::default();
        let mut say = |line: &str| println!("{line}");
        match &cli.command {
            Action::Deploy { command } => switcher::deploy(&settings, &hooks, command, &mut say)
                .map(|report| format!("deployed: {} serves (pid {})", report.live, report.pid)),
            Action::Rollback => switcher::rollback(&settings, &hooks, &mut say)
                .map(|report| format!("rolled back: {} serves (pid {})", report.live, report.pid)),
            Action::Status => switcher::status(&settings),
        }
    });
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("switcher: {why}");
            ExitCode::FAILURE
        }
    }
}

fn settings(cli: &Cli) -> Result<Settings, String> {
    let front = match (&cli.miniproxy, &cli.nginx_include) {
        (Some(admin), None) => {
            let admin = admin.parse().map_err(|_| {
                format!("--miniproxy `{admin}` is not an address like 127.0.0.1:9090")
            })?;
            Front::Miniproxy {
                admin,
                route: cli.route.clone(),
            }
        }
        (None, Some(include)) => Front::Nginx {
            include: include.clone(),
            template: cli.nginx_template.clone(),
            nginx: cli.nginx.split_whitespace().map(String::from).collect(),
            pid_file: cli.nginx_pid.clone(),
        },
        _ => return Err("say which front proxy: --miniproxy ADDR or --nginx-include FILE".into()),
    };
    let mut settings = Settings::new(front, cli.state_dir.clone());
    if !cli.slots.is_empty() {
        settings.slots = cli
            .slots
            .iter()
            .map(|s| Slot::parse(s))
            .collect::<Result<_, _>>()?;
    }
    let seconds = |name: &str, value: f64| {
        Duration::try_from_secs_f64(value).map_err(|_| format!("--{name}: a number of seconds"))
    };
    settings.health_path = cli.health.clone();
    settings.patience = Patience {
        deadline: seconds("health-deadline", cli.health_deadline)?,
        interval: Duration::from_millis(cli.health_interval_ms),
    };
    settings.drain = Duration::from_millis(cli.drain_ms);
    settings.grace = seconds("grace", cli.grace)?;
    Ok(settings)
}
