// Mistake: `.unwrap()` on the task's result. A job that panics makes the
// JoinHandle an error, and the unwrap turns it into a panic of the request
// itself: the client gets no answer from the handler's code, only whatever
// the server does with a crashed request (demo-was says the hook panicked;
// a bare hyper server drops the connection).

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    let slot = limit.acquire_owned().await.map_err(|_| JobFailed::Stopped)?;
    let body = tokio::task::spawn_blocking(move || {
        let _slot = slot;
        job()
    })
    .await
    .unwrap();
    Ok(body)
}
