// Mistake: the tutorial's loop: ten tries, a fixed pause each, whatever the
// deadline says; it goes on checking long after the step should have failed.

pub use switcher::slots::idle_slot;
pub use switcher::include::switch_include;
pub use switcher::stop::stop;
use crate::{Health, Patience, Waiting};

pub fn wait_healthy(waiting: &mut dyn Waiting, patience: Patience) -> Result<u32, String> {
    let mut last = String::new();
    for check in 1..=10 {
        match waiting.probe() {
            Health::Up => return Ok(check),
            Health::Exited(why) => return Err(why),
            Health::Down(why) => last = why,
        }
        waiting.sleep(patience.interval);
    }
    Err(format!("not healthy: {last}"))
}
