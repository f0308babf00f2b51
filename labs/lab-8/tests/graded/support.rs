//! The test bench: a temporary directory with the config files and the
//! database, the environment and flags as plain values (never this test
//! process's own environment: tests run in parallel), and the real
//! demo-was started from them with your function plugged in.

use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;

use demo_was::config::{Hooks, Loaded, Sources};
use testkit::graded::Failure;

/// Which of your functions demo-was runs; the other one is demo-was's.
#[derive(Clone, Copy)]
pub enum Yours {
    Merge,
    Guard,
}

pub struct Setup {
    pub dir: tempfile::TempDir,
    pub sources: Sources,
    yours: Yours,
}

impl Setup {
    pub fn new(yours: Yours) -> Setup {
        // Your `todo!()` panics inside demo-was: one line, never a backtrace.
        testkit::graded::quiet_panics();
        let dir = tempfile::tempdir().expect("a temporary directory");
        let mut sources = Sources::default();
        // Any free port: tests run side by side.
        sources
            .flags
            .push(("--port".into(), "listen".into(), "127.0.0.1:0".into()));
        Setup {
            dir,
            sources,
            yours,
        }
    }

    /// Writes the in-repo file (`demo-was.toml`).
    pub fn repo(&mut self, text: &str) -> PathBuf {
        let path = self.dir.path().join("demo-was.toml");
        std::fs::write(&path, text).expect("write the in-repo file");
        self.sources.repo_file = Some(path.clone());
        path
    }

    /// Writes the external file (`etc/prod.toml`) with `mode`.
    pub fn external(&mut self, text: &str, mode: u32) -> PathBuf {
        let etc = self.dir.path().join("etc");
        std::fs::create_dir_all(&etc).expect("mkdir etc");
        let path = etc.join("prod.toml");
        std::fs::write(&path, text).expect("write the external file");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).expect("chmod");
        self.sources.external_file = Some(path.clone());
        path
    }

    pub fn env(&mut self, name: &str, value: &str) {
        self.sources.env.insert(name.into(), value.into());
    }

    pub fn profile(&mut self, profile: &str) {
        self.sources.profile = Some(profile.into());
    }

    pub fn flag(&mut self, flag: &str, key: &str, value: &str) {
        self.sources
            .flags
            .push((flag.into(), key.into(), value.into()));
    }

    /// The SQLite file's path, inside the temporary directory.
    pub fn db(&self) -> String {
        self.dir.path().join("app.db").display().to_string()
    }

    pub async fn launch(&self) -> Result<(demo_was::Running, Loaded), String> {
        let hooks = match self.yours {
            Yours::Merge => Hooks {
                merge: lab_8::merge,
                ..Hooks::default()
            },
            Yours::Guard => Hooks {
                guard: lab_8::guard,
                ..Hooks::default()
            },
        };
        demo_was::launch(&self.sources, hooks)
            .await
            .map_err(|error| error.0)
    }

    /// Starts, or fails the test with what demo-was said.
    pub async fn start(
        &self,
        did: &str,
        expected: &str,
        section: &str,
    ) -> (demo_was::Running, Loaded) {
        match self.launch().await {
            Ok(started) => started,
            Err(error) => fail(
                did,
                expected,
                &format!("demo-was refused to start: {error}"),
                section,
            ),
        }
    }

    /// Starts with the environment, files and flags of `setup` but
    /// demo-was's own functions: to prepare or inspect the database.
    pub async fn reference(&self) -> demo_was::Running {
        let (running, _) = demo_was::launch(&self.sources, Hooks::default())
            .await
            .unwrap_or_else(|error| panic!("the reference demo-was starts: {error}"));
        running
    }
}

/// `GET path` from a running demo-was: `(status, body)`.
pub async fn get(running: &demo_was::Running, path: &str) -> (u16, String) {
    let answer = testkit::http::request(running.local_addr(), "GET", path, &[])
        .await
        .unwrap_or_else(|error| panic!("GET {path}: demo-was did not answer: {error}"));
    (answer.status, answer.text().trim_end().to_string())
}

/// Fails with the graded-failure message.
#[track_caller]
pub fn fail(request: &str, expected: &str, got: &str, section: &str) -> ! {
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
        chapter: 7,
        section: section.to_string(),
    }
    .fail()
}
