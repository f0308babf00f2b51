// Mistake: the slot is counted by hand: taken with `forget()`, given back
// with `add_permits(1)` after the job returns. A job that panics never
// returns, the line after it never runs, and the slot is gone for good:
// after as many panics as slots, the page answers nobody.

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    limit.acquire().await.map_err(|_| JobFailed::Stopped)?.forget();
    let slots = limit.clone();
    let task = tokio::task::spawn_blocking(move || {
        let body = job();
        slots.add_permits(1);
        body
    });
    match task.await {
        Ok(body) => Ok(body),
        Err(error) if error.is_panic() => Err(JobFailed::Panicked(crate::panic_message(
            &*error.into_panic(),
        ))),
        Err(_) => Err(JobFailed::Stopped),
    }
}
