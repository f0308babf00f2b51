//! One measured run: an nginx (or miniproxy) front, keep-alive load, and
//! `deploys` switcher deploys back and forth. Shared by the zero tests and
//! the benchmark (examples/switch_bench.rs).
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use switcher::{Front, Hooks, Patience, Settings, Slot};
use testkit::load::{Load, Tally};

use super::nginx::{self, Method};

pub fn settings(front: Front, dir: &std::path::Path, blue: u16, green: u16) -> Settings {
    let mut settings = Settings::new(front, dir.to_path_buf());
    settings.slots = vec![Slot::new("blue", blue), Slot::new("green", green)];
    settings.patience = Patience {
        deadline: Duration::from_secs(20),
        interval: Duration::from_millis(50),
    };
    settings.drain = Duration::from_millis(300);
    settings
}

/// What a run saw: the load's tally, and the version answering after each deploy.
pub struct Run {
    pub tally: Tally,
    pub after_each: Vec<(String, String)>,
}

/// Runs nginx with `method`; `None` when nginx is not installed.
pub async fn nginx_run(method: Method, clients: usize, deploys: usize) -> Option<Run> {
    let dir = tempfile::tempdir().unwrap();
    let state_dir = dir.path().join("switcher");
    let _cleanup = super::Cleanup(state_dir.clone());
    let (blue, green) = (testkit::free_port(), testkit::free_port());
    let nginx = nginx::start(dir.path(), method, blue, green)?;
    let front = match method {
        Method::BothSlots => Front::Follows {
            state_dir: state_dir.clone(),
        },
        _ => Front::Nginx {
            include: nginx.include.clone(),
            template: switcher::front::NGINX_TEMPLATE.into(),
            nginx: nginx.command.clone(),
            pid_file: Some(nginx.prefix.join("nginx.pid")),
        },
    };
    let settings = Arc::new(settings(front, &state_dir, blue, green));
    let addr = format!("127.0.0.1:{}", nginx.port).parse().unwrap();
    // Version 1 on blue, where the front points at first.
    let mut first = (*settings).clone();
    first.slots.reverse();
    let first = Arc::new(first);
    super::deploy(&first, Hooks::default(), super::app_command("1", 0))
        .await
        .expect("the first deploy works");
    let run = measure(addr, &settings, Hooks::default(), clients, deploys).await;
    if std::env::var("SHOW_FAILURES").is_ok() {
        let log = std::fs::read_to_string(nginx.prefix.join("logs/error.log")).unwrap_or_default();
        let mut kinds: Vec<&str> = log
            .lines()
            .map(|l| l.split_once("] ").map_or(l, |(_, r)| r))
            .map(|l| l.split(", client").next().unwrap_or(l))
            .collect();
        kinds.sort();
        kinds.dedup();
        for line in kinds.iter().take(8) {
            println!("    nginx: {line}");
        }
    }
    Some(run)
}

/// Load on `addr` while `deploys` deploys run (versions 2, 3, …).
pub async fn measure(
    addr: std::net::SocketAddr,
    settings: &Arc<Settings>,
    hooks: Hooks,
    clients: usize,
    deploys: usize,
) -> Run {
    let load = Load::start(addr, clients);
    load.progress(50).await;
    let mut after_each = Vec::new();
    for n in 2..=deploys + 1 {
        let version = n.to_string();
        let delay = if n % 2 == 0 { 300 } else { 0 };
        super::deploy(settings, hooks, super::app_command(&version, delay))
            .await
            .unwrap_or_else(|why| panic!("deploy {n} failed: {why}"));
        let answer = testkit::http::get(addr, "/version")
            .await
            .expect("the front answers");
        after_each.push((version, answer.text().trim().to_string()));
        load.progress(20).await;
    }
    Run {
        tally: load.finish().await,
        after_each,
    }
}
