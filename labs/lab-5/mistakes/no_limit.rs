// Mistake: off the runtime, but without the slots. Every request gets a
// blocking thread of its own (tokio's pool grows to 512), so a burst of
// slow requests becomes hundreds of threads doing blocking work at once:
// the database behind them gets all of it, too.

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    match tokio::task::spawn_blocking(job).await {
        Ok(body) => Ok(body),
        Err(error) if error.is_panic() => Err(JobFailed::Panicked(crate::panic_message(
            &*error.into_panic(),
        ))),
        Err(_) => Err(JobFailed::Stopped),
    }
}
