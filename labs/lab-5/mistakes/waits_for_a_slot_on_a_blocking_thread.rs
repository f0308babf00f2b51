// Mistake: the slot is waited for inside the blocking task. The limit
// holds, but every waiting request sits on a blocking thread of its own,
// and once started, the task no longer cares whether anyone waits for it:
// a request whose client left while it waited still runs, in a slot a
// live request needed.

use crate::{Arc, Job, JobFailed, Semaphore};

pub async fn run_blocking(limit: Arc<Semaphore>, job: Job) -> Result<String, JobFailed> {
    let task = tokio::task::spawn_blocking(move || {
        let Ok(_slot) = tokio::runtime::Handle::current().block_on(limit.acquire()) else {
            return Err(JobFailed::Stopped);
        };
        Ok(job())
    });
    match task.await {
        Ok(outcome) => outcome,
        Err(error) if error.is_panic() => Err(JobFailed::Panicked(crate::panic_message(
            &*error.into_panic(),
        ))),
        Err(_) => Err(JobFailed::Stopped),
    }
}
