//! One script run: a child process per request, and everything it takes to
//! never leave one behind.
//!
//! This is CGI's price and its simplicity in one place: every request
//! starts a new process (fork + exec), which lives exactly as long as the
//! request. Three things make that safe to do thousands of times:
//!
//! * **A clean environment.** The child starts with *nothing* of the
//!   server's environment except an allow-list ([`ALLOWED_ENV`]), then the
//!   meta-variables. A server started with `AWS_SECRET_ACCESS_KEY` or
//!   `DATABASE_URL` in its environment must not hand them to every script.
//! * **Its own process group.** A shell script that starts `sleep 60` has
//!   two processes; killing only the shell leaves `sleep` running with our
//!   pipe still open. The child is made the leader of a new group, and we
//!   kill the whole group (`kill(-pgid, SIGKILL)`).
//! * **Killed and reaped on every way out.** A finished process that nobody
//!   `wait`s for stays in the process table as a zombie. [`Script`] kills
//!   the group when it is dropped (the client went away, a timeout, a
//!   panic), and tokio reaps a dropped child in the background.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// The only variables a script inherits from the server's environment.
/// PATH so `#!/usr/bin/env python3` works; the locale and time zone so
/// text and dates come out as the administrator set them.
pub const ALLOWED_ENV: &[&str] = &["PATH", "LANG", "LC_ALL", "TZ"];

/// PATH for the script when the server itself has none.
const DEFAULT_PATH: &str = "/usr/local/bin:/usr/bin:/bin";

/// A running script. Dropping it kills the script's whole process group.
pub struct Script {
    child: Child,
    /// The group's id: the child's pid, since it leads its own group.
    pgid: Option<i32>,
    /// The script's name, for the log.
    name: String,
}

/// The pipes of a freshly started script.
pub struct Pipes {
    pub stdin: ChildStdin,
    pub stdout: ChildStdout,
}

impl Script {
    // ANCHOR: spawn
    /// Starts `filename` with exactly `variables` (plus the allow-list) as
    /// its environment, in its own directory and its own process group.
    /// Its stderr goes to the log, one line at a time, with its name.
    pub fn spawn(
        filename: &Path,
        name: &str,
        variables: &[(String, String)],
    ) -> std::io::Result<(Script, Pipes)> {
        let mut command = Command::new(filename);
        command
            .env_clear()
            .envs(inherited_env().iter().map(|(k, v)| (k, v)))
            .envs(variables.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // A new process group, led by the script: see the module comment.
            .process_group(0)
            // Belt and braces for the leader; `Drop` takes the whole group.
            .kill_on_drop(true);
        // Scripts open files relative to themselves (Apache does the same).
        if let Some(dir) = filename.parent() {
            command.current_dir(dir);
        }
        let mut child = command.spawn()?;
        let pgid = child.id().map(|pid| pid as i32);
        let stdin = child.stdin.take().expect("stdin was piped");
        let stdout = child.stdout.take().expect("stdout was piped");
        let stderr = child.stderr.take().expect("stderr was piped");
        tokio::spawn(log_stderr(name.to_string(), stderr));
        let script = Script {
            child,
            pgid,
            name: name.to_string(),
        };
        Ok((script, Pipes { stdin, stdout }))
    }
    // ANCHOR_END: spawn

    /// Kills the script and everything it started, then reaps it.
    pub async fn kill(mut self) {
        self.kill_group();
        let _ = self.child.wait().await;
        self.pgid = None;
    }

    /// The script closed its output: give it `grace` to exit by itself (it
    /// may still be cleaning up), then kill it. Either way it is reaped.
    pub async fn finish(mut self, grace: Duration) {
        match tokio::time::timeout(grace, self.child.wait()).await {
            Ok(Ok(status)) if !status.success() => {
                tracing::warn!("{}: exited with {status}", self.name);
            }
            Ok(_) => {}
            Err(_) => {
                tracing::warn!(
                    "{}: still running after its output ended; killed",
                    self.name
                );
                self.kill_group();
                let _ = self.child.wait().await;
            }
        }
        self.pgid = None;
    }

    fn kill_group(&mut self) {
        if let Some(pgid) = self.pgid.take() {
            // SAFETY: kill(2) has no memory-safety preconditions. The group
            // cannot have been reused: its leader is our child, not yet
            // reaped, so its pid is still taken.
            unsafe {
                libc::kill(-pgid, libc::SIGKILL);
            }
        }
    }
}

impl Drop for Script {
    fn drop(&mut self) {
        // Still running when nobody wants its output any more: the client
        // went away, or the request's future was dropped. tokio reaps the
        // child itself after `kill_on_drop`.
        if self.pgid.is_some() {
            tracing::debug!("{}: stopped (nobody waits for it any more)", self.name);
            self.kill_group();
        }
    }
}

/// The allow-listed variables the server has, and a PATH in any case.
/// Read once: the server's own environment does not change while it runs.
fn inherited_env() -> &'static [(String, String)] {
    static INHERITED: std::sync::OnceLock<Vec<(String, String)>> = std::sync::OnceLock::new();
    INHERITED.get_or_init(read_inherited_env)
}

fn read_inherited_env() -> Vec<(String, String)> {
    let mut inherited: Vec<(String, String)> = ALLOWED_ENV
        .iter()
        .filter_map(|name| Some((name.to_string(), std::env::var(name).ok()?)))
        .collect();
    if !inherited.iter().any(|(name, _)| name == "PATH") {
        inherited.push(("PATH".into(), DEFAULT_PATH.into()));
    }
    inherited
}

/// Every line the script writes to stderr becomes a log line naming the
/// script, like Apache's error log (`AH01215: ...: /usr/lib/cgi-bin/x`).
async fn log_stderr(name: String, stderr: tokio::process::ChildStderr) {
    let mut lines = BufReader::new(stderr).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        tracing::warn!("{name} (stderr): {line}");
    }
}
