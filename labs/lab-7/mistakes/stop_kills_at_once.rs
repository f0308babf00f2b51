// Mistake: SIGKILL right after SIGTERM: requests in flight on the old
// version are cut off instead of finishing.

pub use switcher::slots::idle_slot;
pub use switcher::health::wait_healthy;
pub use switcher::include::switch_include;
use std::time::Duration;
use crate::{Stopped, Stopping};

pub fn stop(process: &mut dyn Stopping, grace: Duration) -> Result<Stopped, String> {
    let _ = grace;
    process.terminate();
    process.kill();
    while !process.exited() {
        process.sleep(switcher::stop::POLL);
    }
    Ok(Stopped::Killed)
}
