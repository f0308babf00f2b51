//! A throwaway script directory and a cgi-runner serving it, in-process.

#![allow(dead_code)] // each test program uses a different part

use std::net::SocketAddr;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use cgi_runner::{Cgi, Config, Hooks};

pub struct Host {
    pub running: cgi_runner::Running,
    pub dir: tempfile::TempDir,
}

impl Host {
    /// A runner on a free loopback port, serving `dir/cgi` with `scripts`
    /// (name, text) written into it, executable.
    pub async fn start(scripts: &[(&str, &str)], configure: impl FnOnce(&mut Config)) -> Host {
        let dir = tempfile::tempdir().expect("a temp dir");
        let root = dir.path().join("cgi");
        std::fs::create_dir_all(&root).unwrap();
        for (name, text) in scripts {
            script(&root, name, text);
        }
        let mut config = Config::new(&root);
        configure(&mut config);
        let cgi = Cgi::new(config, Hooks::default()).expect("the root exists");
        let running = cgi_runner::start("127.0.0.1:0".parse().unwrap(), cgi)
            .await
            .expect("cgi-runner starts");
        Host { running, dir }
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.local_addr()
    }

    pub fn root(&self) -> PathBuf {
        self.dir.path().join("cgi")
    }

    pub async fn get(&self, target: &str) -> testkit::http::Answer {
        self.request("GET", target, &[]).await
    }

    pub async fn request(
        &self,
        method: &str,
        target: &str,
        headers: &[(&str, &str)],
    ) -> testkit::http::Answer {
        testkit::http::request(self.addr(), method, target, headers)
            .await
            .unwrap_or_else(|error| panic!("{method} {target}: no answer: {error}"))
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

/// Writes an executable script.
pub fn script(root: &Path, name: &str, text: &str) {
    let path = root.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// `KEY=value` lines (what `env` prints) → the value of `key`.
pub fn variable(body: &str, key: &str) -> Option<String> {
    body.lines()
        .find_map(|line| line.strip_prefix(key)?.strip_prefix('='))
        .map(str::to_string)
}

/// Is process `pid` gone (or a zombie, which is as good as gone for a
/// process we did not start and cannot reap)?
pub fn gone(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Err(_) => true,
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| rest.trim_start().starts_with('Z')),
    }
}

/// Zombie children of this test process: finished, never reaped.
pub fn zombie_children() -> usize {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|entry| std::fs::read_to_string(entry.path().join("stat")).ok())
        .filter(|stat| {
            let Some((_, rest)) = stat.rsplit_once(')') else {
                return false;
            };
            let fields: Vec<&str> = rest.split_whitespace().collect();
            fields.first() == Some(&"Z") && fields.get(1) == Some(&me.as_str())
        })
        .count()
}

/// The pid a script wrote into `file` in the script directory, once it
/// exists.
pub async fn pid_written(root: &Path, file: &str) -> i32 {
    let path = root.join(file);
    let mut pid = None;
    testkit::wait::wait_until(&format!("the script writes {}", path.display()), || {
        pid = std::fs::read_to_string(&path)
            .ok()
            .and_then(|text| text.trim().parse().ok());
        std::future::ready(pid.is_some())
    })
    .await;
    pid.unwrap()
}

pub const SHORT: Duration = Duration::from_secs(1);
