// Mistake: waits for SIGTERM to work, however long it takes: a process
// that ignores it hangs the deploy forever.

pub use switcher::slots::idle_slot;
pub use switcher::health::wait_healthy;
pub use switcher::include::switch_include;
use std::time::Duration;
use crate::{Stopped, Stopping};

pub fn stop(process: &mut dyn Stopping, grace: Duration) -> Result<Stopped, String> {
    let _ = grace;
    process.terminate();
    while !process.exited() {
        process.sleep(switcher::stop::POLL);
    }
    Ok(Stopped::Terminated)
}
