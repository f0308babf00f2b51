//! The test bench: a real demo-was whose `/blocking` page runs through your
//! `run_blocking`, with a handler the test holds and lets go.
//!
//! `GET /blocking?id=NAME` runs the handler, which records that NAME
//! started, then blocks its thread (a real blocking wait, on a condition
//! variable) until the test releases NAME. Names starting with `quick`
//! never wait; names starting with `panic` panic instead of answering.

use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use demo_was::workers::{Stats, Workers};
use testkit::graded::Failure;
use testkit::http::Answer;
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

/// Worker slots in every bench.
pub const SLOTS: usize = 3;

/// Threads of the server's async runtime: fewer than the slots, so a job
/// run on a runtime thread blocks all of them before the slots are full.
pub const RUNTIME_THREADS: usize = 2;

/// How long a test waits for something that should happen before it calls
/// it a hang. Generous on purpose: it only turns "stuck forever" into a
/// failure message; nothing is timed.
pub const PATIENCE: Duration = Duration::from_secs(10);

pub const SECTION: &str = "Blocking code in an async server";

/// The handler's state, shared with the test.
#[derive(Default)]
struct Gate {
    state: Mutex<GateState>,
    changed: Condvar,
}

#[derive(Default)]
struct GateState {
    released: HashSet<String>,
    all_open: bool,
    started: Vec<String>,
}

impl Gate {
    /// The blocking handler: record, wait for the test, answer (or panic).
    fn handle(&self, query: &str) -> String {
        let id = query
            .split('&')
            .find_map(|pair| pair.strip_prefix("id="))
            .unwrap_or("")
            .to_string();
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.started.push(id.clone());
        self.changed.notify_all();
        while !(id.starts_with("quick")
            || id.starts_with("panic")
            || state.all_open
            || state.released.contains(&id))
        {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        drop(state);
        if id.starts_with("panic") {
            panic!("boom from {id}");
        }
        format!("done {id}\n")
    }

    fn release(&self, id: Option<&str>) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        match id {
            Some(id) => {
                state.released.insert(id.to_string());
            }
            None => state.all_open = true,
        }
        self.changed.notify_all();
    }

    fn started(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .started
            .clone()
    }
}

pub struct Bench {
    addr: SocketAddr,
    /// Requests sent so far (to tell "still coming" from "all done").
    sent: AtomicUsize,
    workers: Workers,
    gate: Arc<Gate>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Bench {
    /// demo-was with [`SLOTS`] worker slots and your `run_blocking`, on a
    /// runtime of [`RUNTIME_THREADS`] threads of its own (so a blocked
    /// server cannot block the test).
    pub fn start() -> Bench {
        // Your `todo!()` panics inside the server, and so does the `panic`
        // handler: one line each, never a backtrace.
        testkit::graded::quiet_panics();
        let gate = Arc::new(Gate::default());
        let handler_gate = gate.clone();
        let workers = Workers::new(
            SLOTS,
            Arc::new(move |query: &str| handler_gate.handle(query)),
        )
        .with_hook(lab_5::hook());
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let served = workers.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(RUNTIME_THREADS)
                .enable_all()
                .build()
                .expect("a runtime for demo-was");
            runtime.block_on(async move {
                let options = demo_was::Options::on_free_port("lab5");
                let running = demo_was::start_with_workers(options, served)
                    .await
                    .expect("demo-was starts");
                let _ = ready_tx.send(running.local_addr());
                let _ = stop_rx.await;
                running.stop().await;
            });
            runtime.shutdown_timeout(Duration::from_secs(5));
        });
        let addr = ready_rx.recv().expect("demo-was started");
        Bench {
            addr,
            sent: AtomicUsize::new(0),
            workers,
            gate,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    /// The worker pool's numbers, as `/workers` shows them.
    pub fn stats(&self) -> Stats {
        self.workers.stats()
    }

    /// The ids whose handler started, in order.
    pub fn started(&self) -> Vec<String> {
        self.gate.started()
    }

    /// Lets the handler for `id` return.
    pub fn release(&self, id: &str) {
        self.gate.release(Some(id));
    }

    /// Sends `GET /blocking?id=ID` in the background; await the handle for
    /// the answer.
    pub fn send(&self, id: &str) -> tokio::task::JoinHandle<std::io::Result<Answer>> {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let (addr, target) = (self.addr, format!("/blocking?id={id}"));
        tokio::spawn(async move { testkit::http::get(addr, &target).await })
    }

    /// Sends `GET /blocking?id=ID` and keeps the connection: drop it to be
    /// the client that goes away.
    pub async fn send_and_keep(&self, id: &str) -> TcpStream {
        self.sent.fetch_add(1, Ordering::SeqCst);
        let mut stream = TcpStream::connect(self.addr).await.expect("connects");
        let head = format!(
            "GET /blocking?id={id} HTTP/1.1\r\nHost: {}\r\n\r\n",
            self.addr
        );
        stream.write_all(head.as_bytes()).await.expect("sends");
        stream
    }

    /// `GET /health`, or `None` when no answer came within [`PATIENCE`].
    pub async fn probe(&self) -> Option<Answer> {
        match tokio::time::timeout(PATIENCE, testkit::http::get(self.addr, "/health")).await {
            Ok(Ok(answer)) => Some(answer),
            _ => None,
        }
    }

    /// Waits until `check` holds for the pool's numbers; `Err` with the
    /// last numbers seen when it still does not after [`PATIENCE`], or at
    /// once when nothing can change any more: every request sent has been
    /// answered, none is running, and no client went away (an unfinished
    /// `todo!()` answers them all with a 500 straight away).
    pub async fn wait_for(&self, check: impl Fn(&Stats) -> bool) -> Result<Stats, Stats> {
        let start = Instant::now();
        loop {
            let stats = self.stats();
            if check(&stats) {
                return Ok(stats);
            }
            let all_done = stats.arrived >= self.sent.load(Ordering::SeqCst)
                && stats.answered == stats.arrived
                && stats.busy == 0
                && stats.abandoned == 0;
            if all_done || start.elapsed() > PATIENCE {
                return Err(stats);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// Awaits an answer sent with [`Bench::send`], within [`PATIENCE`].
    pub async fn answer(
        &self,
        sent: tokio::task::JoinHandle<std::io::Result<Answer>>,
    ) -> Option<Answer> {
        match tokio::time::timeout(PATIENCE, sent).await {
            Ok(Ok(Ok(answer))) => Some(answer),
            _ => None,
        }
    }

    /// Lets every handler go and stops the server.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.gate.release(None);
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Bench {
    /// A failed test still lets every blocked thread go and stops the
    /// server, so the next test starts clean.
    fn drop(&mut self) {
        self.shut_down();
    }
}

/// The pool's numbers, said in words.
pub fn said(stats: &Stats) -> String {
    format!(
        "{} busy, {} of {} slots free, at most {} at once; {} arrived, {} answered, {} abandoned",
        stats.busy,
        stats.free,
        stats.size,
        stats.most_busy,
        stats.arrived,
        stats.answered,
        stats.abandoned
    )
}

/// An answer said in one line.
pub fn shown(answer: &Option<Answer>) -> String {
    match answer {
        Some(answer) => format!("{} {:?}", answer.status, answer.text()),
        None => format!("no answer within {PATIENCE:?}"),
    }
}

/// The graded failure.
#[track_caller]
pub fn fail(request: &str, expected: &str, got: String) -> ! {
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got,
        chapter: 4,
        section: SECTION.to_string(),
    }
    .fail()
}
