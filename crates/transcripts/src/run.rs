//! Running a section's steps as a reader would, in one shell session per
//! terminal.
//!
//! Every command runs in `bash` at the workspace root, with stderr joined to
//! stdout (a terminal shows both), in a process group of its own so that
//! "Ctrl+C in that terminal" reaches everything it started. A command that
//! exits is a one-shot: all of its output is compared. A command that shows
//! what the book shows and keeps running is a server: it stays in the
//! background until a `stop` directive or the end of the section.
//!
//! `cargo run -p NAME -- ARGS` is what the book prints, and what runs: a
//! small `cargo` script first on `PATH` runs the workspace's already built
//! `NAME` binary with `ARGS` (exactly what `cargo run` would do once the
//! build is done, without rebuilding under the test's feet). A `cargo
//! build` has nothing left to do: the suite (`cargo test --workspace
//! --all-features`) built every binary with every feature. Any other cargo
//! command goes to the real cargo.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::mask;
use crate::parse::{Check, Step};

/// How long a command may take to show what the book shows. Generous: it
/// turns a hang into a failure, it is not a speed requirement.
const DEADLINE: Duration = Duration::from_secs(30);
/// The same for a command that shows nothing to compare while it works (a
/// `cargo build` the book prints no output for may compile for minutes).
const QUIET_DEADLINE: Duration = Duration::from_secs(900);
/// How long a command that showed everything may take to exit before it
/// counts as a server.
const SETTLE: Duration = Duration::from_millis(1500);

/// What became of one step, for the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Matched,
    /// Running in the background (a server).
    Started,
    Stopped,
    /// Ran; output not compared, for this reason.
    Unchecked(String),
    /// Not run, for this reason.
    Skipped(String),
}

/// One terminal: a command and everything it printed so far.
struct Job {
    command: String,
    child: Child,
    output: Arc<Mutex<Vec<String>>>,
}

impl Job {
    fn lines(&self) -> Vec<String> {
        self.output
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn exited(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(Some(_)))
    }

    /// Ctrl+C for the whole group, as a terminal sends it; then, if it is
    /// still there after a while, SIGKILL.
    fn interrupt(&mut self) {
        self.signal(libc::SIGINT);
    }

    /// `kill %N`: SIGTERM, as the shell's `kill` sends.
    fn terminate(&mut self) {
        self.signal(libc::SIGTERM);
    }

    fn signal(&mut self, signal: i32) {
        let group = self.child.id() as i32;
        // SAFETY: killpg only sends a signal, to a group this job leads.
        unsafe {
            libc::killpg(group, signal);
        }
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if self.exited() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        // SAFETY: as above.
        unsafe {
            libc::killpg(group, libc::SIGKILL);
        }
        let _ = self.child.wait();
    }
}

impl Drop for Job {
    fn drop(&mut self) {
        if !self.exited() {
            self.interrupt();
        }
        // The shell may be gone and something it started still there (a
        // `cmd &` inside a longer command): the group outlives its leader.
        // SAFETY: killpg only sends a signal, to a group this job led.
        unsafe {
            libc::killpg(self.child.id() as i32, libc::SIGKILL);
        }
    }
}

/// The terminals of one "Run it" section.
pub struct Session {
    /// Where the built binaries are, when that is not `target/debug` (a
    /// `CARGO_TARGET_DIR` of the reader's own): the book's `target/debug/`
    /// paths then mean this directory.
    bins_elsewhere: Option<String>,
    /// Commands started with a trailing `&`, in order: `kill %N` means the
    /// N-th of them still running, as a shell's job numbers do.
    jobs: Vec<Job>,
    root: PathBuf,
    path: std::ffi::OsString,
    /// HOME for the commands: see [`Session::new`].
    home: tempfile::TempDir,
    /// Holds the `cargo` script; removed with the session.
    _shim: tempfile::TempDir,
    background: Vec<Job>,
}

impl Session {
    /// A session at the workspace `root`, running the binaries in `bins`
    /// (`target/debug`) for `cargo run -p NAME`, and `real_cargo` for
    /// anything else cargo is asked.
    pub fn new(root: &Path, bins: &Path, real_cargo: &Path) -> std::io::Result<Session> {
        let shim = tempfile::tempdir()?;
        // `--features F` is accepted and not checked: the test suite runs
        // with `--all-features`, so the built binary has every feature.
        let script = format!(
            "#!/bin/sh\n\
             # `cargo run -p NAME [[--features F] -- ARGS]`: the binary the workspace built.\n\
             if [ \"$1\" = run ] && [ \"$2\" = -p ] && [ -x '{bins}/'\"$3\" ]; then\n\
             \x20   name=$3\n\
             \x20   if [ $# = 3 ]; then exec '{bins}/'\"$name\"; fi\n\
             \x20   if [ \"$4\" = -- ]; then shift 4; exec '{bins}/'\"$name\" \"$@\"; fi\n\
             \x20   if [ \"$4\" = --features ] && [ \"$6\" = -- ]; then shift 6; exec '{bins}/'\"$name\" \"$@\"; fi\n\
             fi\n\
             # `cargo build`: done already, with every feature, by the test\n\
             # suite; building again with fewer would swap the binaries the\n\
             # next chapters run.\n\
             if [ \"$1\" = build ]; then exit 0; fi\n\
             exec '{cargo}' \"$@\"\n",
            bins = bins.display(),
            cargo = real_cargo.display(),
        );
        let cargo = shim.path().join("cargo");
        std::fs::write(&cargo, script)?;
        std::fs::set_permissions(&cargo, PermissionsExt::from_mode(0o755))?;
        // The reader runs curl in a terminal, where it shows no progress
        // meter; here its output is a pipe, where it would. curl reads
        // `~/.curlrc`, so HOME is a directory whose .curlrc says so.
        let home = tempfile::tempdir()?;
        std::fs::write(home.path().join(".curlrc"), "no-progress-meter\n")?;
        let mut path = shim.path().as_os_str().to_owned();
        path.push(":");
        path.push(std::env::var_os("PATH").unwrap_or_default());
        Ok(Session {
            root: root.to_path_buf(),
            path,
            jobs: Vec::new(),
            bins_elsewhere: (bins != root.join("target").join("debug"))
                .then(|| bins.display().to_string()),
            home,
            _shim: shim,
            background: Vec::new(),
        })
    }

    /// `command` as a terminal would run it: each command runs in a new
    /// bash, so what a terminal remembers between commands (the directory
    /// `cd` went to, the variables `export` set, the last exit status that
    /// `echo $?` shows) is saved after each one and restored before the next.
    fn script(&self, command: &str) -> String {
        let state = self.home.path().display();
        let command = match &self.bins_elsewhere {
            Some(bins) => command
                .replace("$PWD/target/debug", bins)
                .replace("target/debug/", &format!("{bins}/")),
            None => command.to_string(),
        };
        format!(
            "exec 2>&1\n\
             if [ -f '{state}/env' ]; then . '{state}/env'; fi\n\
             if [ -f '{state}/cwd' ]; then cd \"$(cat '{state}/cwd')\"; fi\n\
             (exit $(cat '{state}/status' 2>/dev/null || echo 0))\n\
             {command}\n\
             status=$?\n\
             pwd > '{state}/cwd'; export -p > '{state}/env'; echo $status > '{state}/status'\n\
             exit $status\n"
        )
    }

    fn spawn(&self, command: &str) -> Result<Job, String> {
        let mut shell = Command::new("bash");
        shell
            .arg("-c")
            .arg(self.script(command))
            .current_dir(&self.root)
            // The reader's environment, without the test's: no RUST_LOG or
            // colours changing what is printed.
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.home.path())
            .env("LANG", "C.UTF-8")
            .env("TERM", "dumb")
            // Marks everything this session starts, even what a command
            // detaches on purpose (the switcher starts each app in a
            // session of its own), so `finish` can find it.
            .env(MARK, self.mark())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .process_group(0);
        // The toolchain stays where it is, whatever HOME says.
        let home = std::env::var_os("HOME")
            .map(PathBuf::from)
            .unwrap_or_default();
        shell
            .env(
                "CARGO_HOME",
                std::env::var_os("CARGO_HOME").unwrap_or(home.join(".cargo").into()),
            )
            .env(
                "RUSTUP_HOME",
                std::env::var_os("RUSTUP_HOME").unwrap_or(home.join(".rustup").into()),
            );
        if let Some(value) = std::env::var_os("RUSTUP_TOOLCHAIN") {
            shell.env("RUSTUP_TOOLCHAIN", value);
        }
        let mut child = shell
            .spawn()
            .map_err(|err| format!("cannot start bash: {err}"))?;
        let stdout = child.stdout.take().expect("stdout is piped");
        let output = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&output);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        Ok(Job {
            command: command.to_string(),
            child,
            output,
        })
    }

    /// Takes one step. `Err` is the message for a drifted transcript.
    pub fn step(&mut self, step: &Step) -> Result<Outcome, String> {
        match step {
            Step::Run {
                command,
                expected,
                check,
                ..
            } => self.run(command, expected, check),
            Step::Start { command, .. } => {
                let mut job = self.spawn(command)?;
                wait_for_first_line(&mut job)?;
                self.background.push(job);
                Ok(Outcome::Started)
            }
            Step::Setup { command, .. } => {
                let mut job = self.spawn(command)?;
                let deadline = Instant::now() + QUIET_DEADLINE;
                while !job.exited() {
                    if Instant::now() >= deadline {
                        return Err(format!("setup `{command}` did not finish"));
                    }
                    std::thread::sleep(Duration::from_millis(20));
                }
                match job.child.wait() {
                    Ok(status) if status.success() => Ok(Outcome::Matched),
                    _ => Err(format!(
                        "setup `{command}` failed:\n{}",
                        job.lines().join("\n")
                    )),
                }
            }
            Step::Stop { pattern, .. } => {
                let Some(at) = self
                    .background
                    .iter()
                    .rposition(|job| job.command.contains(pattern.as_str()))
                else {
                    return Err(format!("no running command contains `{pattern}` to stop"));
                };
                let mut job = self.background.remove(at);
                job.interrupt();
                Ok(Outcome::Stopped)
            }
        }
    }

    fn run(
        &mut self,
        command: &str,
        expected: &[String],
        check: &Check,
    ) -> Result<Outcome, String> {
        if let Check::Skipped(why) = check {
            return Ok(Outcome::Skipped(why.clone()));
        }
        let want = mask::lines(trimmed(expected));
        // Job control, as the reader's shell does it: `cmd &` keeps running
        // in the background after printing its first lines; `kill %N` ends
        // the N-th such job still running.
        if let Some(job) = command.strip_prefix("kill %") {
            return self.kill_job(job);
        }
        if let Some(background) = command.strip_suffix(" &") {
            let mut job = self.spawn(background)?;
            let deadline = Instant::now() + DEADLINE;
            return match watch(&mut job, &want, deadline) {
                Watched::Server => {
                    self.jobs.push(job);
                    Ok(Outcome::Started)
                }
                Watched::Exited(got) | Watched::TimedOut(got) => {
                    Err(drift(command, &want, &mask::lines(trimmed(&got))))
                }
            };
        }
        let deadline = Instant::now() + DEADLINE;
        loop {
            let mut job = self.spawn(command)?;
            match watch(&mut job, &want, deadline) {
                Watched::Server => {
                    if matches!(check, Check::Unchecked(_)) || want.is_empty() {
                        wait_for_first_line(&mut job)?;
                    }
                    self.background.push(job);
                    return Ok(Outcome::Started);
                }
                Watched::Exited(got) => {
                    if let Check::Unchecked(why) = check {
                        return Ok(Outcome::Unchecked(why.clone()));
                    }
                    let got = mask::lines(trimmed(&got));
                    if mask::matches(&want, &got, false) {
                        return Ok(Outcome::Matched);
                    }
                    if *check == Check::Eventually && Instant::now() < deadline {
                        std::thread::sleep(Duration::from_millis(250));
                        continue;
                    }
                    return Err(drift(command, &want, &got));
                }
                Watched::TimedOut(got) => {
                    let got = mask::lines(trimmed(&got));
                    return Err(format!(
                        "still running after {}s without showing what the book shows{}",
                        DEADLINE.as_secs(),
                        drift(command, &want, &got)
                    ));
                }
            }
        }
    }

    fn kill_job(&mut self, number: &str) -> Result<Outcome, String> {
        self.jobs.retain_mut(|job| !job.exited());
        let index = number
            .trim()
            .parse::<usize>()
            .ok()
            .and_then(|n| n.checked_sub(1))
            .filter(|&i| i < self.jobs.len())
            .ok_or_else(|| format!("kill %{number}: no such job"))?;
        let mut job = self.jobs.remove(index);
        job.terminate();
        Ok(Outcome::Stopped)
    }

    /// Ctrl+C in every terminal still running, newest first; then the end
    /// of anything the session started that is still running elsewhere.
    pub fn finish(&mut self) {
        while let Some(mut job) = self.jobs.pop() {
            job.interrupt();
        }
        while let Some(mut job) = self.background.pop() {
            job.interrupt();
        }
        for pid in marked_processes(&self.mark()) {
            // SAFETY: kill only sends a signal, to a process this session started.
            unsafe {
                libc::kill(pid, libc::SIGKILL);
            }
        }
    }

    /// `MARK`'s value for this session: its HOME, a fresh temp directory.
    fn mark(&self) -> String {
        self.home.path().display().to_string()
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The environment variable that marks a session's processes.
const MARK: &str = "WORKBOOK_TRANSCRIPT";

/// Processes whose environment carries `MARK=value` (from /proc).
fn marked_processes(value: &str) -> Vec<i32> {
    let wanted = format!("{MARK}={value}");
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<i32>().ok())
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ")).is_ok_and(|environ| {
                environ
                    .split(|&b| b == 0)
                    .any(|var| var == wanted.as_bytes())
            })
        })
        .collect()
}

enum Watched {
    /// Exited, with everything it printed.
    Exited(Vec<String>),
    /// Showed what the book shows and kept running.
    Server,
    TimedOut(Vec<String>),
}

fn watch(job: &mut Job, want: &[String], deadline: Instant) -> Watched {
    let mut shown_since: Option<Instant> = None;
    let quiet_deadline = Instant::now() + QUIET_DEADLINE;
    loop {
        if job.exited() {
            // The reader thread may still hold the last lines: give it the
            // moment it needs to reach the end of the pipe.
            std::thread::sleep(Duration::from_millis(30));
            return Watched::Exited(job.lines());
        }
        let lines = mask::lines(&job.lines());
        // A server has shown what the book shows, and has said something:
        // a command that printed nothing worth comparing yet (a build) is
        // still working, not serving.
        let shown = !lines.is_empty() && mask::matches(want, &lines, true);
        match (shown, shown_since) {
            (true, None) => shown_since = Some(Instant::now()),
            (true, Some(since)) if since.elapsed() >= SETTLE => return Watched::Server,
            (false, _) => shown_since = None,
            _ => {}
        }
        let quiet = want.is_empty() && lines.is_empty();
        if Instant::now() >= if quiet { quiet_deadline } else { deadline } {
            return Watched::TimedOut(job.lines());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A server the book shows no output for is ready once it announced
/// itself: every server in this workspace prints a line when it listens.
fn wait_for_first_line(job: &mut Job) -> Result<(), String> {
    let until = Instant::now() + DEADLINE;
    while job.lines().is_empty() {
        if job.exited() {
            return Err(format!("`{}` exited without a word", job.command));
        }
        if Instant::now() >= until {
            return Err(format!(
                "`{}` printed nothing in {}s",
                job.command,
                DEADLINE.as_secs()
            ));
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    Ok(())
}

/// Without the blank lines at the end (a terminal shows none).
fn trimmed(lines: &[String]) -> &[String] {
    let end = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .map_or(0, |i| i + 1);
    &lines[..end]
}

/// The book's lines and the real ones, with the first difference marked.
fn drift(command: &str, want: &[String], got: &[String]) -> String {
    let first = want
        .iter()
        .zip(got)
        .position(|(w, g)| w != g)
        .unwrap_or(want.len().min(got.len()));
    let show = |lines: &[String]| -> String {
        lines
            .iter()
            .enumerate()
            .map(|(i, l)| format!("{} {l}\n", if i == first { ">" } else { " " }))
            .collect()
    };
    format!(
        "\n$ {command}\nthe book shows (masked):\n{}the real output (masked):\n{}",
        show(want),
        show(got)
    )
}
