// Mistake: the slot is held by this async function, not by the task. When
// the client goes away, hyper drops the request's future and the slot with
// it, but the job keeps running on its thread (nothing can stop a thread
// halfway through a blocking call). The slot is free while its job still
// runs, and one more job than the slots can start.

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    let _slot = limit.acquire_owned().await.map_err(|_| JobFailed::Stopped)?;
    match tokio::task::spawn_blocking(job).await {
        Ok(body) => Ok(body),
        Err(error) if error.is_panic() => Err(JobFailed::Panicked(crate::panic_message(
            &*error.into_panic(),
        ))),
        Err(_) => Err(JobFailed::Stopped),
    }
}
