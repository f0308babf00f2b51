//! The test bench: the switcher with one of your functions plugged in (the
//! others are the switcher's own), a real front, real demo-was versions.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use miniproxy::upstream::PoolConfig;
use switcher::state::State;
use switcher::stop::Pid;
use switcher::{Front, Hooks, Patience, Settings, Slot};
use testkit::graded::Failure;

#[path = "../../../../crates/switcher/tests/support/nginx.rs"]
pub mod nginx;

pub const CHAPTER: u32 = 6;

/// Which of your functions the switcher runs.
#[derive(Clone, Copy, Debug)]
pub enum Yours {
    IdleSlot,
    WaitHealthy,
    SwitchInclude,
    Stop,
}

pub fn hooks(yours: Yours) -> Hooks {
    let mut hooks = Hooks::default();
    match yours {
        Yours::IdleSlot => hooks.idle_slot = lab_7::idle_slot,
        Yours::WaitHealthy => hooks.wait_healthy = lab_7::wait_healthy,
        Yours::SwitchInclude => hooks.switch_include = lab_7::switch_include,
        Yours::Stop => hooks.stop = lab_7::stop,
    }
    hooks
}

pub fn fail(
    request: impl Into<String>,
    expected: impl Into<String>,
    got: impl Into<String>,
    section: &str,
) -> ! {
    Failure {
        request: request.into(),
        expected: expected.into(),
        got: got.into(),
        chapter: CHAPTER,
        section: section.into(),
    }
    .fail()
}

/// Calls your function; a panic (a `todo!()`) becomes its message.
pub fn call<T>(call: impl FnOnce() -> T) -> Result<T, String> {
    testkit::graded::quiet_panics();
    switcher::guarded("your function", call)
}

/// The command that starts version `version` (after `delay_ms`, not listening).
pub fn app(version: &str, delay_ms: u64) -> Vec<String> {
    vec![
        env!("CARGO_BIN_EXE_lab7-app").to_string(),
        format!("version={version}"),
        format!("delay_ms={delay_ms}"),
    ]
}

/// A real deploy bench: the front, the switcher's settings, and cleanup.
pub struct Bench {
    pub dir: tempfile::TempDir,
    pub settings: Arc<Settings>,
    pub front: SocketAddr,
    _proxy: Option<(miniproxy::Running, miniproxy::Running)>,
    pub nginx: Option<nginx::Nginx>,
}

impl Drop for Bench {
    fn drop(&mut self) {
        stop_all(&self.dir.path().join("switcher"));
    }
}

fn settings(front: Front, state_dir: PathBuf, blue: u16, green: u16) -> Settings {
    let mut settings = Settings::new(front, state_dir);
    settings.slots = vec![Slot::new("blue", blue), Slot::new("green", green)];
    settings.patience = Patience {
        deadline: Duration::from_secs(20),
        interval: Duration::from_millis(50),
    };
    settings.drain = Duration::from_millis(200);
    settings.grace = Duration::from_secs(5);
    settings
}

impl Bench {
    /// miniproxy in front (admin API), pointing at blue, nothing running.
    pub async fn miniproxy() -> Bench {
        testkit::graded::quiet_panics();
        let dir = tempfile::tempdir().unwrap();
        let (blue, green) = (testkit::free_port(), testkit::free_port());
        let config = miniproxy::Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            upstream: Some(PoolConfig::single(
                format!("127.0.0.1:{blue}").parse().unwrap(),
            )),
            ..miniproxy::Config::default()
        };
        let (proxy, live) = miniproxy::start_live(config, miniproxy::Hooks::default())
            .await
            .unwrap();
        let admin = miniproxy::admin::start("127.0.0.1:0".parse().unwrap(), live)
            .await
            .unwrap();
        let front = Front::Miniproxy {
            admin: admin.local_addr(),
            route: None,
        };
        let settings = settings(front, dir.path().join("switcher"), blue, green);
        Bench {
            front: proxy.local_addr(),
            settings: Arc::new(settings),
            _proxy: Some((proxy, admin)),
            nginx: None,
            dir,
        }
    }

    /// Real nginx in front (the seed's include file; client keep-alive off,
    /// see the chapter), pointing at blue. `None`: nginx is not installed.
    pub async fn nginx(template: &str) -> Option<Bench> {
        testkit::graded::quiet_panics();
        let dir = tempfile::tempdir().unwrap();
        let (blue, green) = (testkit::free_port(), testkit::free_port());
        let nginx = nginx::start(dir.path(), nginx::Method::ReloadNoKeepalive, blue, green)?;
        let front = Front::Nginx {
            include: nginx.include.clone(),
            template: template.into(),
            nginx: nginx.command.clone(),
            pid_file: Some(nginx.prefix.join("nginx.pid")),
        };
        let settings = settings(front, dir.path().join("switcher"), blue, green);
        Some(Bench {
            front: format!("127.0.0.1:{}", nginx.port).parse().unwrap(),
            settings: Arc::new(settings),
            _proxy: None,
            nginx: Some(nginx),
            dir,
        })
    }

    /// Runs a deploy with `hooks` on a blocking thread.
    pub async fn deploy(
        &self,
        hooks: Hooks,
        command: Vec<String>,
    ) -> Result<switcher::deploy::Report, String> {
        let settings = self.settings.clone();
        tokio::task::spawn_blocking(move || {
            switcher::deploy(&settings, &hooks, &command, &mut |_| {})
        })
        .await
        .unwrap_or_else(|_| Err("the deploy panicked".into()))
    }

    /// What `/version` says through the front now (a new connection).
    pub async fn version(&self) -> String {
        match testkit::http::get(self.front, "/version").await {
            Ok(answer) if answer.status == 200 => answer.text().trim().to_string(),
            Ok(answer) => format!("{} {}", answer.status, answer.text().trim()),
            Err(error) => format!("no answer: {error}"),
        }
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
                let _ = switcher::stop::stop(&mut pid, Duration::from_secs(5));
            }
        }
    }
}

/// A pretend clock for `wait_healthy` and `stop`: sleeping moves it on.
#[derive(Debug, Default)]
pub struct Clock {
    pub now: Duration,
}

/// Keeps a wrong answer from looping forever on a pretend clock.
pub const PRETEND_LIMIT: Duration = Duration::from_secs(3600);
