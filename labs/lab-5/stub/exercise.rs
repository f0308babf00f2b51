//! Lab 5: a blocking handler in an async server.
//!
//! This is the only file you edit. Run `cargo test -p lab-5` to grade it,
//! `cargo run -p workbook -- hint 5` for a hint, and
//! `cargo run -p workbook -- watch 5` to re-grade on every save.

// The stub does not use its arguments yet; this keeps the compiler quiet
// about it until yours does.
#![allow(unused_variables)]

use crate::{Arc, Job, JobFailed, Semaphore};

/// Runs one blocking `job` for demo-was's `/blocking` page, without blocking
/// the async runtime, at most as many at a time as `limit` has permits.
/// (Chapter 4, "Blocking code in an async server")
///
/// `limit` is a `tokio::sync::Semaphore` with one permit per worker slot
/// (`acquire_owned()` waits for one; the permit gives its slot back when it
/// is dropped). `job` is a `Box<dyn FnOnce() -> String + Send>`: call it,
/// once, and it blocks its thread until it returns the body.
/// `tokio::task::spawn_blocking(closure)` runs a closure on tokio's
/// blocking pool and gives a `JoinHandle` to await: `Ok(value)`, or an
/// error whose `is_panic()` says the closure panicked (`into_panic()` is
/// the payload; `crate::panic_message(&*payload)` its text).
///
/// Rules:
/// - the job never runs on the async runtime's own threads;
/// - at most `limit`'s permits' worth of jobs run at once, and that many
///   do run when that many requests are waiting;
/// - a request waiting for its turn holds no thread, and if it is dropped
///   (its client went away) before its turn, its job never runs;
/// - a slot is taken for exactly as long as the job runs: given back when
///   the job returns or panics, never earlier, even if the request is
///   dropped while the job still runs;
/// - the job's body → `Ok(body)`; a job that panics →
///   `Err(JobFailed::Panicked(its message))`; your function never panics.
///
/// The chapter's table lists every case the graded tests send.
pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    todo!("lab 5: run the job on the blocking pool, within the slots")
}
