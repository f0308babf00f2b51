//! Test support shared by the workbook's crates and labs.
//!
//! The workbook's tests run real outside programs (curl, nginx, python3,
//! perl) and real servers. This crate holds the chores that come with that,
//! so every test does them the same way:
//!
//! * finding an outside tool, and skipping clearly (or failing in CI) when it
//!   is missing: [`tool`];
//! * driving a child process: start it, wait for a line it prints, send it a
//!   signal, wait for its exit, kill it when the test ends: [`Process`]
//!   (and [`Reaped`], the kill-on-drop part alone);
//! * waiting with a deadline instead of a sleep: [`wait_until_listening`],
//!   and for async tests [`wait`];
//! * sending HTTP exactly as written, `..` and all: [`http`];
//! * failing a graded lab test in the one shape learners read: [`graded`].

pub mod graded;
pub mod http;
pub mod load;
pub mod process;
pub mod wait;

pub use process::{Process, Signal, Stream};

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::Child;
use std::time::{Duration, Instant};

/// Finds an outside program by name on PATH (and in /usr/sbin, where Debian
/// puts nginx). Missing: prints a `skipped:` line and returns `None`, or
/// panics when `WORKBOOK_REQUIRE_TOOLS=1` (set in CI), so CI cannot pass by
/// skipping.
pub fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let mut places: Vec<PathBuf> = std::env::split_paths(&path).collect();
    places.extend(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from));
    let found = places
        .into_iter()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file());
    if found.is_none() {
        if std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("{name} is required (WORKBOOK_REQUIRE_TOOLS=1) but is not installed");
        }
        eprintln!("skipped: {name} is not installed (install it to run this test)");
    }
    found
}

/// A child process that is killed and reaped when this value is dropped, so
/// a failing assertion never leaves a server running. [`Process`] builds on
/// it; use this alone for a program whose output the test does not read.
pub struct Reaped(pub Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A port that was free a moment ago, for programs that cannot be told to
/// bind port 0 and report back (nginx). Bind it soon.
///
/// Not one of the kernel's ephemeral ports (32768 and up here): those are
/// also the source ports of outgoing connections, so under a load test one
/// could be taken by a client's connection between this call and the bind.
/// The ports come from 20000–32767 instead, each handed out once per test
/// process (tests run in parallel threads), starting at a place that
/// depends on the process id (test binaries may run side by side).
pub fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU32, Ordering};
    const FIRST: u32 = 20_000;
    const COUNT: u32 = 12_768; // up to 32767
    static NEXT: AtomicU32 = AtomicU32::new(u32::MAX);
    let _ = NEXT.compare_exchange(
        u32::MAX,
        std::process::id().wrapping_mul(7919) % COUNT,
        Ordering::Relaxed,
        Ordering::Relaxed,
    );
    for _ in 0..COUNT {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % COUNT;
        let port = (FIRST + offset) as u16;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port between {FIRST} and {}", FIRST + COUNT - 1)
}

/// Polls until something accepts connections at `addr`, or panics after
/// `deadline` naming what never came up.
pub fn wait_until_listening(addr: SocketAddr, deadline: Duration, what: &str) {
    let start = Instant::now();
    while TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_err() {
        assert!(
            start.elapsed() < deadline,
            "{what} did not start listening on {addr} within {deadline:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs curl (found with [`tool`]) with `args` after `--silent --show-error
/// --max-time 10`, and returns what it printed on stdout.
///
/// If curl itself fails (it could not connect, timed out, …) the test fails
/// with curl's exit status and its stderr, which say why: an empty answer
/// alone would hide it.
pub fn curl(curl: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new(curl)
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("cannot run {}: {error}", curl.display()));
    assert!(
        output.status.success(),
        "curl {args:?} failed ({}): {}",
        output.status,
        String::from_utf8_lossy(&output.stderr).trim()
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
