//! Every failure leaves the old version serving, says why in one line, and
//! exits non-zero; a lock refuses two deploys; a switcher killed mid-deploy
//! can be run again; rollback goes back.

mod support;

use std::sync::Arc;

use assert_cmd::Command;
use predicates::prelude::*;
use switcher::state::{Lock, Running, State};
use switcher::stop::Pid;
use switcher::{Front, Hooks};

#[test]
#[ignore = "the app the switcher starts; the tests run it themselves"]
fn demo_was_app() {
    support::serve_demo_was();
}

struct Bench {
    front: support::Front,
    settings: Arc<switcher::Settings>,
    // Fields are dropped in this order: the cleanup reads the state file
    // to stop the versions still running, so it goes before the folder.
    _cleanup: support::Cleanup,
    _dir: tempfile::TempDir,
}

async fn bench() -> Bench {
    let dir = tempfile::tempdir().unwrap();
    let (blue, green) = (testkit::free_port(), testkit::free_port());
    let front = support::miniproxy_front(blue).await;
    let settings = support::run::settings(
        Front::Miniproxy {
            admin: front.admin.local_addr(),
            route: None,
        },
        dir.path(),
        blue,
        green,
    );
    Bench {
        _cleanup: support::Cleanup(dir.path().to_path_buf()),
        front,
        settings: Arc::new(settings),
        _dir: dir,
    }
}

async fn version(bench: &Bench) -> String {
    let answer = testkit::http::get(bench.front.proxy.local_addr(), "/version")
        .await
        .unwrap();
    answer.text().trim().to_string()
}

fn cli(bench: &Bench) -> Command {
    let mut command = Command::cargo_bin("switcher").unwrap();
    let slot = |s: &switcher::Slot| format!("{}:{}", s.name, s.port);
    command
        .arg("--miniproxy")
        .arg(bench.front.admin.local_addr().to_string())
        .arg("--slot")
        .arg(slot(&bench.settings.slots[0]))
        .arg("--slot")
        .arg(slot(&bench.settings.slots[1]))
        .arg("--state-dir")
        .arg(&bench.settings.state_dir)
        .arg("--drain-ms")
        .arg("100");
    command
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_version_that_never_turns_healthy_is_stopped_and_nothing_switches() {
    let bench = bench().await;
    support::deploy(
        &bench.settings,
        Hooks::default(),
        support::app_command("1", 0),
    )
    .await
    .unwrap();
    let mut command = cli(&bench);
    command.args(["--health-deadline", "1", "deploy", "--", "sleep", "30"]);
    let output =
        tokio::task::spawn_blocking(move || command.assert().failure().get_output().clone())
            .await
            .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("not healthy within 1s"), "{stderr}");
    assert!(stderr.contains("nothing switched"), "{stderr}");
    assert_eq!(version(&bench).await, "1");
    let state = State::load(&bench.settings.state_dir).unwrap();
    assert!(
        state.starting.is_none(),
        "what it started is forgotten: {state:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_deploy_is_refused_while_one_runs() {
    let bench = bench().await;
    let _held = Lock::take(&bench.settings.state_dir).unwrap();
    let mut command = cli(&bench);
    command.args(["deploy", "--", "true"]);
    tokio::task::spawn_blocking(move || {
        command
            .assert()
            .failure()
            .stderr(predicate::str::contains("another deploy is running"))
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_front_given_is_one_clear_line() {
    Command::cargo_bin("switcher")
        .unwrap()
        .arg("status")
        .assert()
        .failure()
        .stderr("switcher: say which front proxy: --miniproxy ADDR or --nginx-include FILE\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_restarts_the_previous_version_and_stops_the_current_one() {
    let bench = bench().await;
    for v in ["1", "2"] {
        support::deploy(
            &bench.settings,
            Hooks::default(),
            support::app_command(v, 0),
        )
        .await
        .unwrap();
    }
    assert_eq!(version(&bench).await, "2");
    let settings = bench.settings.clone();
    let report = tokio::task::spawn_blocking(move || {
        switcher::rollback(&settings, &Hooks::default(), &mut |_| {})
    })
    .await
    .unwrap()
    .unwrap();
    assert_eq!(version(&bench).await, "1");
    let (stopped, _) = report.replaced.expect("version 2 was stopped");
    let state = State::load(&bench.settings.state_dir).unwrap();
    assert_eq!(state.previous.as_ref().map(|p| &p.slot), Some(&stopped));
    let previous = state.previous.unwrap();
    assert!(!Pid::known(previous.pid, previous.started).is_running());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_after_a_killed_one_stops_what_it_left_starting() {
    let bench = bench().await;
    support::deploy(
        &bench.settings,
        Hooks::default(),
        support::app_command("1", 0),
    )
    .await
    .unwrap();
    // A switcher killed after starting version 2 and before switching:
    // version 2 runs on the idle slot and state.json says "starting".
    let mut state = State::load(&bench.settings.state_dir).unwrap();
    let live = state.live.clone().unwrap();
    let idle = bench
        .settings
        .slots
        .iter()
        .find(|s| **s != live.slot)
        .unwrap()
        .clone();
    let child = std::process::Command::new(&support::app_command("2", 0)[0])
        .args(&support::app_command("2", 0)[1..])
        .env("SWITCHER_PORT", idle.port.to_string())
        .env("SWITCHER_PROFILE", &idle.profile)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let left = Pid::new(child.id());
    let _reaped = testkit::Reaped(child);
    testkit::wait_until_listening(
        format!("127.0.0.1:{}", idle.port).parse().unwrap(),
        testkit::process::DEADLINE,
        "the left-over version",
    );
    state.starting = Some(Running {
        slot: idle,
        pid: left.pid,
        started: left.started,
        command: vec![],
    });
    state.save(&bench.settings.state_dir).unwrap();
    assert_eq!(version(&bench).await, "1", "nothing was switched");

    support::deploy(
        &bench.settings,
        Hooks::default(),
        support::app_command("3", 0),
    )
    .await
    .expect("the next deploy works");
    assert_eq!(version(&bench).await, "3");
    assert!(!left.is_running(), "the left-over version 2 was stopped");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deploy_killed_right_after_the_switch_keeps_the_switched_version() {
    let bench = bench().await;
    support::deploy(
        &bench.settings,
        Hooks::default(),
        support::app_command("1", 0),
    )
    .await
    .unwrap();
    // Killed after `PUT /upstreams` and before state.json said so: the front
    // sends traffic to version 2, state.json still calls it "starting".
    let mut state = State::load(&bench.settings.state_dir).unwrap();
    let live = state.live.clone().unwrap();
    let idle = bench
        .settings
        .slots
        .iter()
        .find(|s| **s != live.slot)
        .unwrap()
        .clone();
    let command = support::app_command("2", 0);
    let child = std::process::Command::new(&command[0])
        .args(&command[1..])
        .env("SWITCHER_PORT", idle.port.to_string())
        .env("SWITCHER_PROFILE", &idle.profile)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let switched = Pid::new(child.id());
    let _reaped = testkit::Reaped(child);
    testkit::wait_until_listening(
        format!("127.0.0.1:{}", idle.port).parse().unwrap(),
        testkit::process::DEADLINE,
        "version 2",
    );
    state.starting = Some(Running {
        slot: idle.clone(),
        pid: switched.pid,
        started: switched.started,
        command: command.clone(),
    });
    state.save(&bench.settings.state_dir).unwrap();
    let front = switcher::Front::Miniproxy {
        admin: bench.front.admin.local_addr(),
        route: None,
    };
    let port = idle.port;
    tokio::task::spawn_blocking(move || front.switch(port, &Hooks::default()))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(version(&bench).await, "2");

    support::deploy(
        &bench.settings,
        Hooks::default(),
        support::app_command("3", 0),
    )
    .await
    .expect("the next deploy works");
    assert_eq!(version(&bench).await, "3");
    let state = State::load(&bench.settings.state_dir).unwrap();
    assert_eq!(
        state.previous.as_ref().map(|p| p.pid),
        Some(switched.pid),
        "version 2 was live, then replaced"
    );
    assert!(
        !switched.is_running(),
        "and stopped after version 3 took over"
    );
}
