// Mistake: the tutorial's stop: sends SIGTERM and moves on, never checking
// that the process exited; the port may still be taken at the next deploy.

pub use switcher::slots::idle_slot;
pub use switcher::health::wait_healthy;
pub use switcher::include::switch_include;
use std::time::Duration;
use crate::{Stopped, Stopping};

pub fn stop(process: &mut dyn Stopping, grace: Duration) -> Result<Stopped, String> {
    let _ = grace;
    process.terminate();
    Ok(Stopped::Terminated)
}
