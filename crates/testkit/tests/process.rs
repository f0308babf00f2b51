//! The process harness on small shell scripts: each move, and what a
//! failure message shows.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::process::Command;

use testkit::{Process, Signal, Stream};

fn sh(script: &str) -> Command {
    let mut command = Command::new("sh");
    command.args(["-c", script]);
    command
}

fn panic_text(payload: Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn waits_for_a_line_on_stdout_or_stderr() {
    // Each stream keeps its own order; between the two there is none, so
    // each check waits for a line of one stream only.
    let mut process = Process::spawn(&mut sh("echo one; echo two >&2"));
    assert_eq!(
        process.wait_for_line("the stderr line", |l| l == "two"),
        "two"
    );
    assert!(process.wait_for_exit().success());

    let mut process = Process::spawn(&mut sh("echo one >&2; echo two; echo three"));
    assert_eq!(process.wait_for_line_containing("two"), "two");
    assert_eq!(
        process.wait_for_line("a line with ee", |l| l.contains("ee")),
        "three"
    );
    assert!(
        process.seen().contains(&"[stdout] two".to_owned()),
        "{:?}",
        process.seen()
    );
}

#[test]
fn a_line_that_never_comes_fails_listing_what_was_seen() {
    let mut process = Process::spawn(&mut sh("echo ready; echo almost >&2; exit 3"));
    let failure = catch_unwind(AssertUnwindSafe(|| {
        process.wait_for_line_containing("listening")
    }))
    .expect_err("the line never comes");
    let message = panic_text(failure);
    assert!(
        message.contains("before printing line containing \"listening\""),
        "{message}"
    );
    assert!(message.contains("[stdout] ready"), "{message}");
    assert!(message.contains("[stderr] almost"), "{message}");
}

#[test]
fn a_signal_reaches_the_process_and_its_exit_is_reported() {
    // The shell traps SIGHUP and SIGTERM, and says which one came.
    let mut process = Process::spawn(&mut sh(
        "trap 'echo got HUP' HUP; trap 'echo got TERM; exit 5' TERM; \
         echo ready; while :; do sleep 0.01; done",
    ));
    process.wait_for_line_containing("ready");
    process.signal(Signal::Hup);
    process.wait_for_line_containing("got HUP");
    let status = process.terminate();
    assert_eq!(status.code(), Some(5), "{status}");
    process.wait_for_line_containing("got TERM");
}

#[test]
fn dropping_kills_and_reaps_the_process() {
    let mut process = Process::spawn(&mut sh("echo $$; exec sleep 600"));
    let pid: u32 = process.wait_for_line("the pid", |_| true).parse().unwrap();
    drop(process);
    // Reaped: the pid is gone from /proc (not even a zombie is left).
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists(),
        "process {pid} outlived its Process"
    );
}

#[test]
fn a_stream_can_be_piped_into_another_program() {
    let (mut writer, mut head) = Process::spawn_piped_into(
        &mut sh("echo first; echo second; echo to-stderr >&2"),
        Stream::Stdout,
        Command::new("head").arg("-1"),
    );
    assert_eq!(head.wait_for_line("head's line", |_| true), "first");
    assert!(head.wait_for_exit().success());
    writer.wait_for_line_containing("to-stderr");
    writer.wait_for_exit();
}

/// Whether `pid` still runs: not gone, and not a zombie waiting to be
/// reaped (an orphan's new parent may never reap it).
fn runs(pid: &str) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
        stat.rsplit(") ")
            .next()
            .is_some_and(|rest| !rest.starts_with('Z'))
    })
}

#[test]
fn a_group_goes_whole_and_a_plain_process_alone() {
    // Each shell starts a child of its own, as nginx's master starts its
    // workers, and says the child's pid.
    let script = "sleep 60 & echo $!; wait";

    let mut group = Process::spawn_group(&mut sh(script));
    let worker = group.wait_for_line("the child's pid", |_| true);
    assert!(runs(&worker));
    drop(group);
    // SIGKILL is sent at once; the child ends when the kernel next runs it.
    let deadline = std::time::Instant::now() + testkit::process::DEADLINE;
    while runs(&worker) && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert!(!runs(&worker), "the child went with its group");

    let mut plain = Process::spawn(&mut sh(script));
    let orphan = plain.wait_for_line("the child's pid", |_| true);
    drop(plain);
    assert!(runs(&orphan), "only the shell itself was killed");
    Command::new("kill").arg(&orphan).status().unwrap();
}
