// Mistake: a slot taken twice. The first `acquire` waits for a turn; a
// second one takes the slot to move into the task, and the first is kept
// too. Every request holds two slots: with three slots, one job at a time.

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    let _turn = limit.acquire().await.map_err(|_| JobFailed::Stopped)?;
    let slot = limit
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| JobFailed::Stopped)?;
    let task = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        job()
    });
    match task.await {
        Ok(body) => Ok(body),
        Err(error) if error.is_panic() => Err(JobFailed::Panicked(crate::panic_message(
            &*error.into_panic(),
        ))),
        Err(_) => Err(JobFailed::Stopped),
    }
}
