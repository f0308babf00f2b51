// Mistake: the job is called right here, in the async function. The slots
// are respected, but the job blocks the runtime thread that polls this
// future; with as many blocking jobs as the runtime has threads, nothing
// is left to accept a connection or answer a health check.

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    let _slot = limit.acquire().await.map_err(|_| JobFailed::Stopped)?;
    Ok(job())
}
