//! A child process under a test's control: start it, wait for a line it
//! prints, send it a signal, wait for it to exit, and never leave it behind.
//!
//! Servers say "I am ready" by printing a line ("listening on …"), and say
//! how a stop went by printing more and by their exit status. A test that
//! drives a real binary needs the same four moves every time, each with a
//! deadline so that a server that hangs fails the test instead of hanging
//! it, and each failure showing what the program *did* print, which is
//! nearly always the clue:
//!
//! ```ignore
//! let mut server = Process::spawn(Command::new(env!("CARGO_BIN_EXE_miniproxy")).args([…]));
//! let line = server.wait_for_line_containing("listening on");
//! server.signal(Signal::Term);
//! assert!(server.wait_for_exit().success(), "{:#?}", server.seen());
//! // dropped: killed and reaped if still running, pass or fail
//! ```
//!
//! Output is read on background threads, line by line, into a channel:
//! reading a pipe blocks, and only a channel can be waited on with a
//! deadline. Reading also keeps the pipe drained, so a chatty child never
//! stalls on a full pipe.

use std::io::{BufRead, BufReader, Read};
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::{Duration, Instant};

use crate::Reaped;

/// How long one step (a line to appear, the process to exit) may take
/// before the test fails: generous, because a loaded CI machine is slow,
/// and a step that really hangs fails all the same.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// One of a process's two output streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// The signals a test sends to a server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// What `kill`, `systemctl stop` and `docker stop` send: stop, please.
    Term,
    /// What Ctrl-C in a terminal sends.
    Int,
    /// "Hang up": by tradition, reload your configuration.
    Hup,
}

impl Signal {
    fn number(self) -> libc::c_int {
        match self {
            Signal::Term => libc::SIGTERM,
            Signal::Int => libc::SIGINT,
            Signal::Hup => libc::SIGHUP,
        }
    }
}

/// A running child process; killed and reaped when dropped.
pub struct Process {
    name: String,
    child: Reaped,
    lines: Receiver<(Stream, String)>,
    seen: Vec<String>,
    exited: Option<ExitStatus>,
    /// Started by [`Process::spawn_group`]: its whole process group goes
    /// when this is dropped.
    group: bool,
}

impl Process {
    /// Starts `command` with stdin closed and stdout and stderr captured,
    /// or panics naming the program.
    pub fn spawn(command: &mut Command) -> Process {
        command
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let name = command.get_program().to_string_lossy().into_owned();
        let child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        Process::adopt(child, &name)
    }

    /// Like [`spawn`](Self::spawn), for a program that starts processes of
    /// its own, such as nginx's master and its workers: it runs in a
    /// process group of its own, and the whole group is killed when this is
    /// dropped. Killing the master alone would leave its workers running
    /// after the test, still holding the test's port.
    pub fn spawn_group(command: &mut Command) -> Process {
        command.process_group(0);
        let mut process = Process::spawn(command);
        process.group = true;
        process
    }

    /// Starts `command` with its `stream` connected to the stdin of
    /// `reader` (also started), as the shell's `command | reader` does, and
    /// returns both. The other stream of `command`, and `reader`'s stdout,
    /// are captured.
    ///
    /// With `head -1` as the reader this is how a test closes a server's
    /// stdout under it: `head` exits after one line, and from then on every
    /// write to that pipe fails with "broken pipe".
    pub fn spawn_piped_into(
        command: &mut Command,
        stream: Stream,
        reader: &mut Command,
    ) -> (Process, Process) {
        command.stdin(Stdio::null());
        match stream {
            Stream::Stdout => command.stdout(Stdio::piped()).stderr(Stdio::piped()),
            Stream::Stderr => command.stderr(Stdio::piped()).stdout(Stdio::piped()),
        };
        let name = command.get_program().to_string_lossy().into_owned();
        let mut child = command
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {name}: {error}"));
        let piped: Stdio = match stream {
            Stream::Stdout => child.stdout.take().expect("stdout is piped").into(),
            Stream::Stderr => child.stderr.take().expect("stderr is piped").into(),
        };
        // Adopt the first child now, so it is reaped even if the reader
        // cannot start.
        let first = Process::adopt(child, &name);
        let reader_name = reader.get_program().to_string_lossy().into_owned();
        let reader = reader
            .stdin(piped)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|error| panic!("cannot start {reader_name}: {error}"));
        (first, Process::adopt(reader, &reader_name))
    }

    /// Takes charge of a child started elsewhere: reads whichever of its
    /// stdout and stderr are piped, and kills and reaps it when dropped.
    /// `name` is how failure messages call it.
    pub fn adopt(mut child: Child, name: &str) -> Process {
        let (sender, lines) = mpsc::channel();
        if let Some(stdout) = child.stdout.take() {
            read_lines(stdout, Stream::Stdout, sender.clone());
        }
        if let Some(stderr) = child.stderr.take() {
            read_lines(stderr, Stream::Stderr, sender);
        }
        Process {
            name: name.to_owned(),
            child: Reaped(child),
            lines,
            seen: Vec::new(),
            exited: None,
            group: false,
        }
    }

    /// The process id.
    pub fn id(&self) -> u32 {
        self.child.0.id()
    }

    /// Every line read so far, in order of arrival, each marked `[stdout]`
    /// or `[stderr]`: what to show when an assertion fails.
    pub fn seen(&self) -> &[String] {
        &self.seen
    }

    /// Waits for the next line (on stdout or stderr) for which `matches`
    /// returns true, and returns it. Lines before it are passed over (they
    /// stay in [`seen`](Self::seen)); a later call looks only at later lines.
    /// Each stream's lines come in order, but a stdout line and a stderr
    /// line printed close together may arrive either way round.
    ///
    /// Panics, listing every line seen, if no such line comes within
    /// [`DEADLINE`] or the process closes both streams first. `what`
    /// describes the line for that message.
    pub fn wait_for_line(&mut self, what: &str, mut matches: impl FnMut(&str) -> bool) -> String {
        let deadline = Instant::now() + DEADLINE;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok((stream, line)) => {
                    let found = matches(&line);
                    self.seen.push(format!("[{}] {line}", stream.label()));
                    if found {
                        return line;
                    }
                }
                Err(RecvTimeoutError::Timeout) => {
                    panic!(
                        "{}",
                        self.failure(&format!("no {what} within {DEADLINE:?}"))
                    )
                }
                Err(RecvTimeoutError::Disconnected) => {
                    let status = self.child.0.try_wait().ok().flatten();
                    let how = status.map_or("closed its output".to_owned(), |status| {
                        format!("exited ({status})")
                    });
                    panic!("{}", self.failure(&format!("{how} before printing {what}")))
                }
            }
        }
    }

    /// [`wait_for_line`](Self::wait_for_line) for a line containing `text`.
    pub fn wait_for_line_containing(&mut self, text: &str) -> String {
        self.wait_for_line(&format!("line containing {text:?}"), |line| {
            line.contains(text)
        })
    }

    /// Sends `signal` to the process. Panics if it has already been
    /// reaped: its id may belong to another process by now.
    pub fn signal(&self, signal: Signal) {
        assert!(
            self.exited.is_none(),
            "{} has already exited; not sending {signal:?}",
            self.name
        );
        let pid = libc::pid_t::try_from(self.id()).expect("a pid fits in pid_t");
        // SAFETY: kill(2) only sends a signal; it touches no memory of ours.
        // The child is not reaped yet (checked above, and only
        // `wait_for_exit` or drop reap it), so `pid` is still ours.
        let sent = unsafe { libc::kill(pid, signal.number()) };
        assert_eq!(
            sent,
            0,
            "cannot send {signal:?} to {}: {}",
            self.name,
            std::io::Error::last_os_error()
        );
    }

    /// Waits for the process to exit and returns how it did; panics,
    /// listing every line seen, if it is still running after [`DEADLINE`].
    pub fn wait_for_exit(&mut self) -> ExitStatus {
        if let Some(status) = self.exited {
            return status;
        }
        let deadline = Instant::now() + DEADLINE;
        loop {
            match self.child.0.try_wait() {
                Ok(Some(status)) => {
                    self.exited = Some(status);
                    return status;
                }
                Ok(None) if Instant::now() < deadline => {
                    // std has no wait-with-timeout for a child; polling
                    // every 10 ms costs nothing next to a process start.
                    std::thread::sleep(Duration::from_millis(10));
                }
                Ok(None) => {
                    panic!(
                        "{}",
                        self.failure(&format!("still running after {DEADLINE:?}"))
                    )
                }
                Err(error) => panic!("cannot wait for {}: {error}", self.name),
            }
        }
    }

    /// SIGTERM, then [`wait_for_exit`](Self::wait_for_exit).
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal(Signal::Term);
        self.wait_for_exit()
    }

    /// Waits for the exit and fails the test, showing every line seen,
    /// unless the process succeeded (exit status 0).
    pub fn assert_success(&mut self) {
        let status = self.wait_for_exit();
        if !status.success() {
            panic!("{}", self.failure(&format!("failed ({status})")));
        }
    }

    /// SIGTERM, then [`assert_success`](Self::assert_success): a graceful
    /// stop ends with exit status 0.
    pub fn assert_stops_cleanly(&mut self) {
        self.signal(Signal::Term);
        self.assert_success();
    }

    fn failure(&mut self, what: &str) -> String {
        // Whatever has arrived meanwhile belongs in the message too.
        while let Ok((stream, line)) = self.lines.try_recv() {
            self.seen.push(format!("[{}] {line}", stream.label()));
        }
        let mut message = format!("{} {what}; its output so far:", self.name);
        if self.seen.is_empty() {
            message.push_str(" (nothing)");
        }
        for line in &self.seen {
            message.push_str("\n  ");
            message.push_str(line);
        }
        message
    }
}

impl Stream {
    fn label(self) -> &'static str {
        match self {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // Before `Reaped` kills and reaps the leader (the fields are dropped
        // after this). Only while the leader is not reaped: until then its
        // id, which is the group's, cannot name anybody else's processes.
        if self.group && self.exited.is_none() {
            let group = libc::pid_t::try_from(self.id()).expect("a pid fits in pid_t");
            // SAFETY: kill(2) only sends a signal; it touches no memory of ours.
            unsafe { libc::kill(-group, libc::SIGKILL) };
        }
    }
}

/// Forwards each line of `pipe` to `sender` from a thread of its own, until
/// the pipe closes or nobody listens any more.
fn read_lines(pipe: impl Read + Send + 'static, stream: Stream, sender: Sender<(Stream, String)>) {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(pipe);
        let mut bytes = Vec::new();
        // Bytes, not `lines()`: one line of invalid UTF-8 must not end the
        // reading (and hide everything printed after it).
        while matches!(reader.read_until(b'\n', &mut bytes), Ok(n) if n > 0) {
            let line = String::from_utf8_lossy(&bytes);
            let line = line.trim_end_matches(['\n', '\r']).to_owned();
            if sender.send((stream, line)).is_err() {
                break;
            }
            bytes.clear();
        }
    });
}
