//! What the switcher's tests share: the app the switcher deploys, a
//! miniproxy front, and cleaning up whatever the switcher started.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use miniproxy::upstream::PoolConfig;
use switcher::state::State;
use switcher::stop::Pid;
use switcher::Stopping;

pub mod nginx;
pub mod run;

/// The command that starts a real demo-was in its own process: this test
/// program itself, running only its ignored `demo_was_app` test, which
/// reads the slot from the switcher's $SWITCHER_PORT and $SWITCHER_PROFILE
/// and the version (and an optional start-up delay) from its arguments.
pub fn app_command(version: &str, delay_ms: u64) -> Vec<String> {
    // The benchmark (an example, not a test program) serves the app itself.
    if !std::env::current_exe()
        .unwrap()
        .display()
        .to_string()
        .contains("/deps/")
    {
        return vec![
            std::env::current_exe().unwrap().display().to_string(),
            format!("version={version}"),
            format!("delay_ms={delay_ms}"),
        ];
    }
    vec![
        std::env::current_exe().unwrap().display().to_string(),
        "--ignored".into(),
        "--exact".into(),
        "demo_was_app".into(),
        format!("version={version}"),
        format!("delay_ms={delay_ms}"),
    ]
}

/// The body of the `demo_was_app` test: serves until SIGTERM, then drains.
pub fn serve_demo_was() {
    let (Ok(port), Ok(profile)) = (
        std::env::var("SWITCHER_PORT"),
        std::env::var("SWITCHER_PROFILE"),
    ) else {
        return; // run by hand: nothing to do
    };
    let arg = |name: &str| {
        std::env::args().find_map(|a| a.strip_prefix(&format!("{name}=")).map(String::from))
    };
    let version = arg("version").unwrap_or_else(|| "0".into());
    let delay: u64 = arg("delay_ms").and_then(|d| d.parse().ok()).unwrap_or(0);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let stop = shutdown::signal().unwrap();
        // A slow starter: not listening yet, so not healthy.
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
        let options = demo_was::Options {
            listen: SocketAddr::from(([127, 0, 0, 1], port.parse().unwrap())),
            profile,
            version,
        };
        let running = demo_was::start(options).await.unwrap();
        stop.await;
        running.stop().await;
    });
}

/// A miniproxy front with its admin API, both on free loopback ports.
pub struct Front {
    pub proxy: miniproxy::Running,
    pub admin: miniproxy::Running,
}

pub async fn miniproxy_front(first_port: u16) -> Front {
    let config = miniproxy::Config {
        listen: "127.0.0.1:0".parse().unwrap(),
        upstream: Some(PoolConfig::single(
            format!("127.0.0.1:{first_port}").parse().unwrap(),
        )),
        ..miniproxy::Config::default()
    };
    let (proxy, live) = miniproxy::start_live(config, miniproxy::Hooks::default())
        .await
        .unwrap();
    let admin = miniproxy::admin::start("127.0.0.1:0".parse().unwrap(), live)
        .await
        .unwrap();
    Front { proxy, admin }
}

/// Stops every process the state file knows, when dropped (even when a
/// test fails).
pub struct Cleanup(pub PathBuf);

impl Drop for Cleanup {
    fn drop(&mut self) {
        stop_all(&self.0);
    }
}

pub fn stop_all(dir: &Path) {
    if let Ok(state) = State::load(dir) {
        for running in [state.live, state.previous, state.starting]
            .into_iter()
            .flatten()
        {
            let mut pid = Pid::known(running.pid, running.started);
            if pid.is_running() {
                pid.terminate();
                let _ = switcher::stop::stop(&mut pid, std::time::Duration::from_secs(5));
            }
        }
    }
}

/// Runs a deploy on a blocking thread; the one line it failed with, if any.
pub async fn deploy(
    settings: &Arc<switcher::Settings>,
    hooks: switcher::Hooks,
    command: Vec<String>,
) -> Result<switcher::deploy::Report, String> {
    let settings = settings.clone();
    tokio::task::spawn_blocking(move || switcher::deploy(&settings, &hooks, &command, &mut |_| {}))
        .await
        .unwrap()
}
