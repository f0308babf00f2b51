//! Blocking handlers in an async server: a bounded pool of worker slots,
//! the way gunicorn's sync workers run a WSGI app.
//!
//! Everything else in demo-was is *async*: a page that waits (`/slow`)
//! awaits a timer and gives its thread back, so two runtime threads can keep
//! thousands of requests in flight. That is ASGI's idea, and hyper's
//! `Service`. But much real code *blocks*: a database driver without async,
//! a C library, a big computation. Call it on a runtime thread and that
//! thread can do nothing else until it returns; block every runtime thread
//! and the whole server stops answering, health checks included.
//!
//! So a blocking handler runs the way WSGI apps run on gunicorn: on a pool
//! of threads made for blocking (tokio's *blocking pool*), at most a fixed
//! number at a time (the *worker slots*, a semaphore). A request waits for
//! a slot first, *in async code*, where waiting costs a few bytes and no
//! thread. Lab 5 asks the learner to write that one function,
//! [`run_blocking`]; the rest of this module is the engine around it:
//!
//! * [`Workers`] owns the slots, calls the hook, and turns what it returns
//!   into an HTTP answer (200, or 500 when the handler panicked);
//! * it counts what happens ([`Stats`]: how many handlers run right now,
//!   the most that ever ran at once, requests whose client left), shown at
//!   `/workers`, and read by the lab's graded tests.
//!
//! demo-was serves `/blocking?ms=N` through it: a handler that blocks its
//! thread for N ms (a stand-in for a blocking database call), with
//! [`DEFAULT_WORKERS`] slots.

use std::future::Future;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::sync::Semaphore;

/// How many blocking handlers demo-was runs at once: its "sync workers".
pub const DEFAULT_WORKERS: usize = 4;

/// A blocking piece of work: it runs on some thread, and returns the body.
pub type Job = Box<dyn FnOnce() -> String + Send + 'static>;

/// What a running [`run_blocking`] is: a future the engine can store and
/// drop (boxed, since each implementation is a different type).
pub type Running = Pin<Box<dyn Future<Output = Result<String, JobFailed>> + Send + 'static>>;

/// The hook lab 5 plugs in: run `job` within the slots of `limit`.
pub type RunBlocking = fn(limit: Arc<Semaphore>, job: Job) -> Running;

/// The blocking handler itself: the request's query string in, the body out.
pub type Handler = Arc<dyn Fn(&str) -> String + Send + Sync + 'static>;

/// Why a job gave no body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailed {
    /// The job panicked; the message it panicked with.
    Panicked(String),
    /// The pool is shutting down (the slots were closed, or the task was
    /// cancelled): the job did not run to its end.
    Stopped,
}

// ANCHOR: run_blocking
/// Runs a blocking `job` without blocking the async runtime, at most
/// `limit`'s number of jobs at a time.
pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    // Wait for a free slot here, in async code: a request that waits is a
    // small future in memory, holding no thread, and if its client goes
    // away while it waits, it is dropped and never runs.
    let slot = limit
        .acquire_owned()
        .await
        .map_err(|_closed| JobFailed::Stopped)?;
    // The job runs on tokio's blocking pool, never on a runtime thread.
    let task = tokio::task::spawn_blocking(move || {
        // The slot moves into the task: it is given back when the job
        // returns or panics, and not before, even when the client has gone
        // and nobody awaits this task any more (a thread cannot be stopped
        // halfway through a blocking call).
        let _slot = slot;
        job()
    });
    // A panic in the job comes back here as an error, not a crash.
    match task.await {
        Ok(body) => Ok(body),
        Err(error) if error.is_panic() => Err(JobFailed::Panicked(guarded::panic_message(
            &*error.into_panic(),
        ))),
        Err(_cancelled) => Err(JobFailed::Stopped),
    }
}
// ANCHOR_END: run_blocking

/// The default hook: [`run_blocking`], boxed.
pub fn default_hook() -> RunBlocking {
    |limit, job| Box::pin(run_blocking(limit, job))
}

/// A pool of worker slots for blocking handlers, and what it has seen.
/// Cheap to clone: the clones share the slots and the numbers.
#[derive(Clone)]
pub struct Workers {
    size: usize,
    limit: Arc<Semaphore>,
    run: RunBlocking,
    handler: Handler,
    counters: Arc<Counters>,
}

impl std::fmt::Debug for Workers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workers")
            .field("size", &self.size)
            .field("stats", &self.stats())
            .finish_non_exhaustive()
    }
}

/// What a pool has seen so far: the numbers `/workers` shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// The number of slots.
    pub size: usize,
    /// Slots free right now.
    pub free: usize,
    /// Handlers running right now.
    pub busy: usize,
    /// The most handlers that ever ran at the same time.
    pub most_busy: usize,
    /// Requests that reached the pool (waiting, running or done).
    pub arrived: usize,
    /// Handlers that started running.
    pub started: usize,
    /// Requests answered (with a body or a 500).
    pub answered: usize,
    /// Requests dropped before their answer: the client went away.
    pub abandoned: usize,
}

#[derive(Debug, Default)]
struct Counters {
    busy: AtomicUsize,
    most_busy: AtomicUsize,
    arrived: AtomicUsize,
    started: AtomicUsize,
    answered: AtomicUsize,
    abandoned: AtomicUsize,
}

impl Workers {
    /// `size` slots running `handler`, with this crate's [`run_blocking`].
    pub fn new(size: usize, handler: Handler) -> Workers {
        Workers {
            size,
            limit: Arc::new(Semaphore::new(size)),
            run: default_hook(),
            handler,
            counters: Arc::default(),
        }
    }

    /// The same pool, running jobs with `run` instead (lab 5's hook).
    pub fn with_hook(self, run: RunBlocking) -> Workers {
        Workers { run, ..self }
    }

    /// The numbers so far.
    pub fn stats(&self) -> Stats {
        let c = &self.counters;
        Stats {
            size: self.size,
            free: self.limit.available_permits(),
            busy: c.busy.load(Ordering::SeqCst),
            most_busy: c.most_busy.load(Ordering::SeqCst),
            arrived: c.arrived.load(Ordering::SeqCst),
            started: c.started.load(Ordering::SeqCst),
            answered: c.answered.load(Ordering::SeqCst),
            abandoned: c.abandoned.load(Ordering::SeqCst),
        }
    }

    // ANCHOR: serve
    /// Answers one request with the blocking handler: the body, or why not.
    pub async fn serve(&self, query: &str) -> Result<String, String> {
        let counters = self.counters.clone();
        let handler = self.handler.clone();
        let query = query.to_string();
        // What runs on a worker thread: the handler, counted while it runs
        // (the count goes down even when it panics: `Busy` is dropped).
        let job: Job = Box::new(move || {
            let _busy = Busy::enter(&counters);
            handler(&query)
        });
        self.counters.arrived.fetch_add(1, Ordering::SeqCst);
        let running = Tracked {
            running: Some((self.run)(self.limit.clone(), job)),
            counters: self.counters.clone(),
        };
        let outcome = running.await;
        self.counters.answered.fetch_add(1, Ordering::SeqCst);
        match outcome {
            Ok(Ok(body)) => Ok(body),
            Ok(Err(JobFailed::Panicked(message))) => {
                Err(format!("the handler panicked: {message}"))
            }
            Ok(Err(JobFailed::Stopped)) => Err("the worker pool is stopping".into()),
            Err(hook_panic) => Err(format!("the `run_blocking` hook panicked: {hook_panic}")),
        }
    }
    // ANCHOR_END: serve
}

/// Counts a handler as busy from `enter` until it is dropped.
struct Busy<'a>(&'a Counters);

impl<'a> Busy<'a> {
    fn enter(counters: &'a Counters) -> Busy<'a> {
        counters.started.fetch_add(1, Ordering::SeqCst);
        let now = counters.busy.fetch_add(1, Ordering::SeqCst) + 1;
        counters.most_busy.fetch_max(now, Ordering::SeqCst);
        Busy(counters)
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The hook's future, counted as abandoned if it is dropped before it
/// finishes (hyper drops a request's future when its client goes away).
struct Tracked {
    running: Option<Running>,
    counters: Arc<Counters>,
}

impl Future for Tracked {
    /// The hook's outcome, or the message of a panic in the hook itself.
    type Output = Result<Result<String, JobFailed>, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let Some(running) = self.running.as_mut() else {
            return Poll::Ready(Ok(Err(JobFailed::Stopped)));
        };
        // A panic in the hook itself (an unfinished `todo!()`) is caught
        // here, so it becomes a 500 naming the hook instead of a dropped
        // connection, and the request still counts as answered.
        let polled = catch_unwind(AssertUnwindSafe(|| running.as_mut().poll(cx)));
        let outcome = match polled {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(outcome)) => Ok(outcome),
            Err(panic) => Err(guarded::panic_message(&*panic)),
        };
        self.running = None;
        Poll::Ready(outcome)
    }
}

impl Drop for Tracked {
    fn drop(&mut self) {
        if let Some(running) = self.running.take() {
            // Dropped first, then counted: whoever sees the count sees
            // whatever the hook's future held (its slot?) already let go.
            drop(running);
            self.counters.abandoned.fetch_add(1, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(size: usize) -> Workers {
        Workers::new(size, Arc::new(|query: &str| format!("ran {query}")))
    }

    #[tokio::test]
    async fn a_job_runs_and_frees_its_slot() {
        let workers = pool(2);
        assert_eq!(workers.serve("x").await, Ok("ran x".into()));
        let stats = workers.stats();
        assert_eq!((stats.free, stats.busy, stats.started), (2, 0, 1));
        assert_eq!((stats.most_busy, stats.answered), (1, 1));
    }

    #[tokio::test]
    async fn a_panicking_handler_is_a_message_and_frees_its_slot() {
        let workers = Workers::new(1, Arc::new(|_: &str| panic!("boom")));
        assert_eq!(
            workers.serve("").await,
            Err("the handler panicked: boom".into())
        );
        assert_eq!(workers.stats().free, 1);
    }

    #[tokio::test]
    async fn a_panicking_hook_is_named() {
        let workers = pool(1).with_hook(|_, _| Box::pin(async { todo!("lab 5") }));
        assert_eq!(
            workers.serve("").await,
            Err("the `run_blocking` hook panicked: not yet implemented: lab 5".into())
        );
    }
}
