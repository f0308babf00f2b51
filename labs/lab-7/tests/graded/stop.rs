//! `stop`: the rules on a pretend process and clock, then a real process
//! that ignores SIGTERM.

use std::time::Duration;

use lab_7::{Stopped, Stopping};

use crate::support::{call, fail, PRETEND_LIMIT};

const SECTION: &str = "Stopping the old version";

/// A pretend process: exits `after_term` after SIGTERM (never if `None`),
/// and right after SIGKILL.
struct Pretend {
    after_term: Option<Duration>,
    now: Duration,
    termed_at: Option<Duration>,
    killed_at: Option<Duration>,
}

impl Pretend {
    fn gone(&self) -> bool {
        let by_term = match (self.termed_at, self.after_term) {
            (Some(at), Some(after)) => self.now >= at + after,
            _ => false,
        };
        by_term || self.killed_at.is_some_and(|at| self.now > at)
    }
}

impl Stopping for Pretend {
    fn terminate(&mut self) {
        self.termed_at.get_or_insert(self.now);
    }
    fn kill(&mut self) {
        self.killed_at.get_or_insert(self.now);
    }
    fn exited(&mut self) -> bool {
        self.gone()
    }
    fn elapsed(&self) -> Duration {
        self.now
    }
    fn sleep(&mut self, pause: Duration) {
        assert!(
            self.now < PRETEND_LIMIT,
            "still waiting after an hour of pretend time"
        );
        self.now += pause;
    }
}

fn run(
    after_term: Option<Duration>,
    grace: Duration,
) -> (Result<Result<Stopped, String>, String>, Pretend) {
    let mut process = Pretend {
        after_term,
        now: Duration::ZERO,
        termed_at: None,
        killed_at: None,
    };
    let result = call(|| lab_7::stop(&mut process, grace));
    (result, process)
}

fn story(p: &Pretend) -> String {
    format!(
        "SIGTERM at {:?}, SIGKILL at {:?}, returned at {:?} with the process {}",
        p.termed_at,
        p.killed_at,
        p.now,
        if p.gone() { "gone" } else { "STILL RUNNING" }
    )
}

#[test]
fn a_process_that_exits_on_sigterm_is_terminated() {
    let (result, p) = run(Some(Duration::from_millis(100)), Duration::from_secs(10));
    let request = "stop(grace 10s) on a process that exits 100ms after SIGTERM";
    match result {
        Ok(Ok(Stopped::Terminated)) if p.gone() && p.killed_at.is_none() => {}
        Ok(other) => fail(
            request,
            "Ok(Terminated), no SIGKILL, returned once it was gone",
            format!("{other:?}; {}", story(&p)),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(Terminated)", panic, SECTION),
    }
}

#[test]
fn stop_returns_only_once_the_process_is_gone() {
    let (result, p) = run(Some(Duration::from_secs(3)), Duration::from_secs(10));
    let request = "stop(grace 10s) on a process that takes 3s to finish its requests after SIGTERM";
    match result {
        Ok(Ok(Stopped::Terminated)) if p.gone() => {}
        Ok(other) => fail(
            request,
            "Ok(Terminated), returned only once it was gone",
            format!("{other:?}; {}", story(&p)),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(Terminated)", panic, SECTION),
    }
}

#[test]
fn a_process_that_ignores_sigterm_is_killed_after_the_grace_period() {
    let grace = Duration::from_secs(2);
    let (result, p) = run(None, grace);
    let request = "stop(grace 2s) on a process that ignores SIGTERM";
    match result {
        Ok(Ok(Stopped::Killed)) if p.gone() && p.killed_at.is_some_and(|at| at >= grace) => {}
        Ok(other) => fail(
            request,
            "Ok(Killed): SIGKILL once the 2s are over (not before), returned once it was gone",
            format!("{other:?}; {}", story(&p)),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(Killed)", panic, SECTION),
    }
}

/// A real process, with a real clock that gives up (a panic your `stop`
/// cannot swallow) 15 s after SIGTERM if nothing killed it by then.
struct Bounded {
    real: switcher::stop::Pid,
    killed: bool,
}

impl Stopping for Bounded {
    fn terminate(&mut self) {
        self.real.terminate();
    }
    fn kill(&mut self) {
        self.killed = true;
        self.real.kill();
    }
    fn exited(&mut self) -> bool {
        self.real.exited()
    }
    fn elapsed(&self) -> Duration {
        self.real.elapsed()
    }
    fn sleep(&mut self, pause: Duration) {
        assert!(
            self.killed || self.real.elapsed() < Duration::from_secs(15),
            "still waiting 15 s after SIGTERM, and no SIGKILL was sent"
        );
        self.real.sleep(pause);
    }
}

#[test]
fn a_real_process_that_ignores_sigterm_is_gone_when_stop_returns() {
    // It says `ready` once the trap is set: a SIGTERM before that would
    // still stop it.
    let mut child = std::process::Command::new("sh")
        .args([
            "-c",
            "trap '' TERM; echo ready; while :; do sleep 0.05; done",
        ])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("sh starts");
    let mut ready = String::new();
    let stdout = child.stdout.take().expect("piped");
    std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut ready)
        .expect("sh says ready");
    let reaped = testkit::Reaped(child);
    let pid = reaped.0.id();
    let mut real = Bounded {
        real: switcher::stop::Pid::new(pid),
        killed: false,
    };
    let started = real.real.started;
    let result = call(|| lab_7::stop(&mut real, Duration::from_millis(300)));
    let request = format!("stop(grace 300ms) on a real `sh` (pid {pid}) that ignores SIGTERM");
    let running = switcher::stop::Pid::known(pid, started).is_running();
    drop(reaped);
    match result {
        Ok(Ok(Stopped::Killed)) if !running => {}
        Ok(other) => fail(
            request,
            "Ok(Killed), and the process gone",
            format!(
                "{other:?}; process {}",
                if running { "still running" } else { "gone" }
            ),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(Killed)", panic, SECTION),
    }
}
