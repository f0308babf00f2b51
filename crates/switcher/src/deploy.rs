//! The deploy, step by step, and its two siblings: rollback and status.

use std::io::Write;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

use crate::health::{HttpWaiting, Patience};
use crate::slots::Slot;
use crate::state::{Lock, Running, State};
use crate::stop::{Pid, Stopped};
use crate::{guarded, Front, Hooks};

/// Everything a deploy needs to know.
#[derive(Debug, Clone)]
pub struct Settings {
    pub slots: Vec<Slot>,
    pub front: Front,
    /// state.json, lock, deploy.log, and each slot's output log.
    pub state_dir: PathBuf,
    pub health_path: String,
    pub patience: Patience,
    /// How long the old version keeps running after the switch, for what
    /// the front already sent it.
    pub drain: Duration,
    /// How long SIGTERM may take before SIGKILL.
    pub grace: Duration,
}

impl Settings {
    pub fn new(front: Front, state_dir: PathBuf) -> Settings {
        Settings {
            slots: Slot::defaults(),
            front,
            state_dir,
            health_path: "/health".into(),
            patience: Patience {
                deadline: Duration::from_secs(30),
                interval: Duration::from_millis(500),
            },
            drain: Duration::from_secs(2),
            grace: Duration::from_secs(10),
        }
    }

    fn log(&self, line: &str) {
        let at = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let path = self.state_dir.join("deploy.log");
        if let Ok(mut file) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            let _ = writeln!(file, "{at} {line}");
        }
    }
}

/// What a deploy did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub live: Slot,
    pub pid: u32,
    /// The version it replaced, and how that one stopped.
    pub replaced: Option<(Slot, Stopped)>,
}

// ANCHOR: deploy
/// Starts `command` in the idle slot, waits until it is healthy, switches
/// the front to it, lets the old one drain, and stops the old one.
pub fn deploy(
    settings: &Settings,
    hooks: &Hooks,
    command: &[String],
    say: &mut dyn FnMut(&str),
) -> Result<Report, String> {
    let _lock = Lock::take(&settings.state_dir)?;
    let mut state = State::load(&settings.state_dir)?;
    finish_interrupted(settings, hooks, &mut state, say)?;

    // 1. Which slot is live, asked of the front and of the app itself.
    let front_port = settings.front.live_port()?;
    let profile = front_port
        .and_then(|port| crate::http::get(port, "/profile").ok())
        .filter(|(status, _)| *status == 200)
        .map(|(_, body)| body);
    let idle = guarded("idle_slot", || {
        (hooks.idle_slot)(&settings.slots, front_port, profile.as_deref())
    })??;
    let slot = settings
        .slots
        .get(idle)
        .cloned()
        .ok_or(format!("idle_slot chose slot {idle}, which does not exist"))?;
    say(&format!(
        "live: {}; deploying to {slot}",
        front_port.map_or("nothing".into(), |p| format!("port {p}"))
    ));
    bring_up_and_switch(settings, hooks, &mut state, slot, command, say)
}
// ANCHOR_END: deploy

/// Steps 2 to 4, shared by deploy and a rollback that must restart.
fn bring_up_and_switch(
    settings: &Settings,
    hooks: &Hooks,
    state: &mut State,
    slot: Slot,
    command: &[String],
    say: &mut dyn FnMut(&str),
) -> Result<Report, String> {
    if crate::http::get(slot.port, "/").is_ok() {
        return Err(format!(
            "port {} of {slot} is already taken by a process switcher does not know; stop it first",
            slot.port
        ));
    }
    // 2. Start, then wait for UP.
    let mut pid = start(settings, &slot, command)?;
    let running = Running {
        slot: slot.clone(),
        pid: pid.pid,
        started: pid.started,
        command: command.to_vec(),
    };
    state.starting = Some(running.clone());
    state.save(&settings.state_dir)?;
    settings.log(&format!(
        "start {} pid {}: {}",
        slot.name,
        pid.pid,
        command.join(" ")
    ));
    say(&format!(
        "started pid {} on {slot}; waiting for {}",
        pid.pid, settings.health_path
    ));

    let began = Instant::now();
    let health_path = settings.health_path.clone();
    let mut progress = |line: &str| say(line);
    let waited = {
        let mut waiting = HttpWaiting {
            port: slot.port,
            profile: &slot.profile,
            path: &health_path,
            process: &mut pid,
            started: began,
            progress: &mut progress,
        };
        guarded("wait_healthy", || {
            (hooks.wait_healthy)(&mut waiting, settings.patience)
        })
        .and_then(|result| result)
    };
    let abandon = |state: &mut State, pid: &mut Pid, why: String| -> String {
        let _ = guarded("stop", || (hooks.stop)(pid, settings.grace));
        state.starting = None;
        let _ = state.save(&settings.state_dir);
        let serving = state
            .live
            .as_ref()
            .map_or("the old version".into(), |live| live.slot.to_string());
        let line = format!("{why}; stopped it, nothing switched, {serving} still serves");
        settings.log(&format!("failed: {line}"));
        line
    };
    if let Err(why) = waited {
        return Err(abandon(
            state,
            &mut pid,
            format!("the new version on {slot} is not healthy: {why}"),
        ));
    }

    // 3. Switch the front.
    if let Err(why) = settings.front.switch(slot.port, hooks) {
        return Err(abandon(
            state,
            &mut pid,
            format!("cannot switch to {slot}: {why}"),
        ));
    }
    let old = state.live.take();
    state.previous = old.clone();
    state.live = Some(running);
    state.starting = None;
    state.save(&settings.state_dir)?;
    settings.log(&format!("switched to {} pid {}", slot.name, pid.pid));
    say(&format!("switched: new requests go to {slot}"));

    // 4. Drain, stop the old one, and make sure it is gone.
    let replaced = match old {
        Some(old) => {
            std::thread::sleep(settings.drain);
            let stopped = stop_running(settings, hooks, &old)?;
            say(&format!(
                "stopped {} (pid {}): {stopped:?}",
                old.slot, old.pid
            ));
            Some((old.slot, stopped))
        }
        None => None,
    };
    Ok(Report {
        live: slot,
        pid: pid.pid,
        replaced,
    })
}

/// Stops a version the state knows, if it still runs.
fn stop_running(settings: &Settings, hooks: &Hooks, running: &Running) -> Result<Stopped, String> {
    let mut pid = Pid::known(running.pid, running.started);
    if !pid.is_running() {
        return Ok(Stopped::Terminated);
    }
    let stopped = guarded("stop", || (hooks.stop)(&mut pid, settings.grace))?
        .map_err(|why| format!("cannot stop {} (pid {}): {why}", running.slot, running.pid))?;
    if pid.is_running() {
        return Err(format!(
            "{} (pid {}) still runs after the stop said {stopped:?}",
            running.slot, running.pid
        ));
    }
    settings.log(&format!(
        "stopped {} pid {}: {stopped:?}",
        running.slot.name, running.pid
    ));
    Ok(stopped)
}

/// A switcher killed mid-deploy left a version starting: stop it, unless
/// the front already sends traffic to it (killed right after the switch),
/// in which case it is the live one. Killed after the switch was saved: the
/// previous version may still run, and is stopped now.
fn finish_interrupted(
    settings: &Settings,
    hooks: &Hooks,
    state: &mut State,
    say: &mut dyn FnMut(&str),
) -> Result<(), String> {
    if let Some(left) = state.starting.take() {
        if settings.front.live_port()? == Some(left.slot.port)
            && Pid::known(left.pid, left.started).is_running()
        {
            // Killed after the switch, before saving it: the front already
            // sends traffic to it, so it is the live one now.
            say(&format!(
                "an earlier deploy switched to {} before it was interrupted; keeping it",
                left.slot
            ));
            state.previous = state.live.replace(left);
        } else {
            say(&format!(
                "an earlier deploy was interrupted; stopping what it started on {}",
                left.slot
            ));
            stop_running(settings, hooks, &left)?;
        }
        state.save(&settings.state_dir)?;
    }
    // Killed between the switch and the stop: the previous one still runs.
    if let Some(previous) = &state.previous {
        let live_port = state.live.as_ref().map(|l| l.slot.port);
        if Pid::known(previous.pid, previous.started).is_running()
            && settings.front.live_port()? == live_port
        {
            say(&format!(
                "the previous version on {} still runs; stopping it",
                previous.slot
            ));
            stop_running(settings, hooks, previous)?;
        }
    }
    Ok(())
}

/// Starts `command` for `slot`, in a process group of its own (a Ctrl-C
/// to the switcher must not stop the version it starts), with `{port}`,
/// `{profile}` and `{slot}` replaced, and its output in `SLOT.log`.
fn start(settings: &Settings, slot: &Slot, command: &[String]) -> Result<Pid, String> {
    let words: Vec<String> = command
        .iter()
        .map(|word| {
            word.replace("{port}", &slot.port.to_string())
                .replace("{profile}", &slot.profile)
                .replace("{slot}", &slot.name)
        })
        .collect();
    let (program, args) = words
        .split_first()
        .ok_or("no command to start the new version")?;
    let log_path = settings.state_dir.join(format!("{}.log", slot.name));
    let log =
        std::fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let child = Command::new(program)
        .args(args)
        .env("SWITCHER_PORT", slot.port.to_string())
        .env("SWITCHER_PROFILE", &slot.profile)
        .env("SWITCHER_SLOT", &slot.name)
        .stdin(Stdio::null())
        .stdout(log.try_clone().map_err(|e| e.to_string())?)
        .stderr(log)
        .process_group(0)
        .spawn()
        .map_err(|e| format!("cannot start `{program}`: {e}"))?;
    Ok(Pid::new(child.id()))
}

/// Back to the previous version: switch to it if it still runs, else
/// start it again with its own command, then stop the current one.
pub fn rollback(
    settings: &Settings,
    hooks: &Hooks,
    say: &mut dyn FnMut(&str),
) -> Result<Report, String> {
    let _lock = Lock::take(&settings.state_dir)?;
    let mut state = State::load(&settings.state_dir)?;
    let Some(previous) = state.previous.clone() else {
        return Err("nothing to roll back to: no previous deploy is recorded".into());
    };
    if !Pid::known(previous.pid, previous.started).is_running() {
        say(&format!(
            "rolling back: restarting the previous version on {}",
            previous.slot
        ));
        return bring_up_and_switch(
            settings,
            hooks,
            &mut state,
            previous.slot,
            &previous.command,
            say,
        );
    }
    say(&format!(
        "rolling back: {} still runs; switching to it",
        previous.slot
    ));
    settings.front.switch(previous.slot.port, hooks)?;
    let current = state.live.take();
    state.live = Some(previous.clone());
    state.previous = current.clone();
    state.save(&settings.state_dir)?;
    settings.log(&format!("rolled back to {}", previous.slot.name));
    let replaced = match current {
        Some(current) => {
            std::thread::sleep(settings.drain);
            Some((
                current.slot.clone(),
                stop_running(settings, hooks, &current)?,
            ))
        }
        None => None,
    };
    Ok(Report {
        live: previous.slot,
        pid: previous.pid,
        replaced,
    })
}

/// What is live, what ran before, and whether each process runs.
pub fn status(settings: &Settings) -> Result<String, String> {
    let state = State::load(&settings.state_dir)?;
    let describe = |running: &Option<Running>| match running {
        None => "none".to_string(),
        Some(r) => format!(
            "{} pid {} ({})",
            r.slot,
            r.pid,
            if Pid::known(r.pid, r.started).is_running() {
                "running"
            } else {
                "stopped"
            }
        ),
    };
    let front = match settings.front.live_port() {
        Ok(Some(port)) => format!("port {port}"),
        Ok(None) => "nothing".into(),
        Err(why) => format!("unknown ({why})"),
    };
    Ok(format!(
        "front:    sends traffic to {front}\nlive:     {}\nprevious: {}",
        describe(&state.live),
        describe(&state.previous)
    ))
}
