// Mistake: the tutorial's first hole: no readiness wait. Started means
// ready; the switch sends traffic to a port nobody listens on yet.

pub use switcher::slots::idle_slot;
pub use switcher::include::switch_include;
pub use switcher::stop::stop;
use crate::{Patience, Waiting};

pub fn wait_healthy(waiting: &mut dyn Waiting, patience: Patience) -> Result<u32, String> {
    let _ = (waiting, patience);
    Ok(1)
}
