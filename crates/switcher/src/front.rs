//! The front proxy: where traffic goes now, and how to move it.
//!
//! Two drivers. **miniproxy**: its admin API (loopback only) says which
//! upstream serves (`GET /upstreams`) and replaces it in one step
//! (`PUT /upstreams`): no reload, no restart. **nginx**: the included file
//! names the upstream; switching rewrites it atomically, asks `nginx -t`,
//! and reloads; a failed test or reload puts the old file back.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::Command;

use crate::Hooks;

#[derive(Debug, Clone)]
pub enum Front {
    Miniproxy {
        admin: SocketAddr,
        /// A route's pool (`/api/`) instead of the default one.
        route: Option<String>,
    },
    Nginx {
        /// The included file, e.g. /etc/nginx/conf.d/service-url.inc.
        include: PathBuf,
        /// Its contents, with `{port}` where the port goes.
        template: String,
        /// The nginx program and the arguments that pick its instance
        /// (`-p PREFIX -c nginx.conf`); `-t` and `-s reload` are added.
        nginx: Vec<String>,
        /// nginx's pid file: with it, a switch waits until the old worker
        /// processes have exited (their requests finished) before the old
        /// version may stop. Without it, only the fixed drain time protects them.
        pid_file: Option<PathBuf>,
    },
    /// A front with every slot in one pool that follows on its own (nginx:
    /// an `upstream` of both slots and `proxy_next_upstream`): nothing to
    /// switch; stopping the old version moves the traffic. The live slot is
    /// the one state.json in `state_dir` names.
    Follows { state_dir: PathBuf },
}

/// The seed's include line.
pub const NGINX_TEMPLATE: &str = "set $service_url http://127.0.0.1:{port};\n";

impl Front {
    /// The port the front sends traffic to now, if it is one we can read.
    pub fn live_port(&self) -> Result<Option<u16>, String> {
        match self {
            Front::Miniproxy { admin, route } => {
                let (status, body) = crate::http::request(*admin, "GET", &target(route), "")
                    .map_err(|e| format!("miniproxy admin API at {admin}: {e}"))?;
                if status != 200 {
                    return Err(format!("miniproxy admin API: {status} {}", body.trim()));
                }
                // `127.0.0.1:8081` (one server) or several, one a line.
                Ok(body.lines().find_map(port_of))
            }
            Front::Nginx {
                include, template, ..
            } => {
                let Ok(text) = std::fs::read_to_string(include) else {
                    return Ok(None);
                };
                let (before, _) = template.split_once("{port}").unwrap_or((template, ""));
                let at = text
                    .find(before.trim_start())
                    .map(|i| i + before.trim_start().len());
                Ok(at.and_then(|i| {
                    let digits: String =
                        text[i..].chars().take_while(char::is_ascii_digit).collect();
                    digits.parse().ok()
                }))
            }
            Front::Follows { state_dir } => Ok(crate::state::State::load(state_dir)?
                .live
                .map(|live| live.slot.port)),
        }
    }

    /// Sends new requests to `port`.
    pub fn switch(&self, port: u16, hooks: &Hooks) -> Result<(), String> {
        match self {
            Front::Miniproxy { admin, route } => {
                let body = format!("127.0.0.1:{port}\n");
                let (status, answer) =
                    crate::http::request(*admin, "PUT", &target(route), &body)
                        .map_err(|e| format!("miniproxy admin API at {admin}: {e}"))?;
                match status {
                    200 => Ok(()),
                    _ => Err(format!(
                        "miniproxy refused the switch: {status} {}",
                        answer.trim()
                    )),
                }
            }
            Front::Nginx {
                include,
                template,
                nginx,
                pid_file,
            } => {
                let old_workers = pid_file.as_deref().map(workers_of).unwrap_or_default();
                let contents = template.replace("{port}", &port.to_string());
                let previous = std::fs::read_to_string(include).ok();
                let mut test = || run_nginx(nginx, &["-t"]);
                crate::guarded("switch_include", || {
                    (hooks.switch_include)(include, &contents, &mut test)
                })??;
                if let Err(why) = run_nginx(nginx, &["-s", "reload"]) {
                    // Put the old file back: a later reload or restart must
                    // still serve the version that serves now.
                    if let Some(old) = previous {
                        crate::state::write_atomically(include, old.as_bytes())?;
                    }
                    return Err(format!("nginx reload failed: {why}"));
                }
                // A reload only starts new workers; the old ones finish
                // what they hold first. Until they exit, they still send
                // requests to the old version.
                wait_gone(&old_workers, OLD_WORKERS_DEADLINE).map_err(|n| {
                    format!(
                        "{n} old nginx workers still run {OLD_WORKERS_DEADLINE:?} after the reload"
                    )
                })
            }
            Front::Follows { .. } => Ok(()),
        }
    }
}

fn target(route: &Option<String>) -> String {
    match route {
        Some(prefix) => format!("/upstreams?route={prefix}"),
        None => "/upstreams".into(),
    }
}

fn port_of(line: &str) -> Option<u16> {
    line.split_whitespace().find_map(|word| {
        let (_, port) = word.trim_end_matches(',').rsplit_once(':')?;
        port.parse().ok()
    })
}

fn run_nginx(nginx: &[String], extra: &[&str]) -> Result<(), String> {
    let (program, args) = nginx.split_first().ok_or("no nginx command given")?;
    let output = Command::new(program)
        .args(args)
        .args(extra)
        .output()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if output.status.success() {
        return Ok(());
    }
    let said = String::from_utf8_lossy(&output.stderr);
    let line = said
        .lines()
        .find(|l| l.contains("emerg") || l.contains("error"))
        .unwrap_or(said.trim());
    Err(format!("`nginx {}`: {line}", extra.join(" ")))
}

/// How long old nginx workers may take to finish after a reload.
pub const OLD_WORKERS_DEADLINE: std::time::Duration = std::time::Duration::from_secs(60);

/// The worker processes of the nginx whose master's pid is in `pid_file`.
fn workers_of(pid_file: &std::path::Path) -> Vec<crate::stop::Pid> {
    let Some(master) = std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|t| t.trim().parse::<u32>().ok())
    else {
        return Vec::new();
    };
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/stat"))
                .ok()
                .and_then(|stat| {
                    let (_, rest) = stat.rsplit_once(')')?;
                    rest.split_whitespace().nth(1)?.parse::<u32>().ok()
                })
                == Some(master)
        })
        .map(crate::stop::Pid::new)
        .collect()
}

/// Waits until every process in `pids` has exited; how many remain if not.
fn wait_gone(pids: &[crate::stop::Pid], deadline: std::time::Duration) -> Result<(), usize> {
    let began = std::time::Instant::now();
    loop {
        let left = pids.iter().filter(|p| p.is_running()).count();
        if left == 0 {
            return Ok(());
        }
        if began.elapsed() >= deadline {
            return Err(left);
        }
        std::thread::sleep(crate::stop::POLL);
    }
}
