// Mistake: stops when a whole pause no longer fits, so the last check
// happens before the deadline: a version that turns up at the deadline is refused.

pub use switcher::slots::idle_slot;
pub use switcher::include::switch_include;
pub use switcher::stop::stop;
use crate::{Health, Patience, Waiting};

pub fn wait_healthy(waiting: &mut dyn Waiting, patience: Patience) -> Result<u32, String> {
    let mut checks = 0;
    loop {
        checks += 1;
        match waiting.probe() {
            Health::Up => return Ok(checks),
            Health::Exited(why) => return Err(why),
            Health::Down(why) => {
                if waiting.elapsed() + patience.interval > patience.deadline {
                    return Err(why);
                }
            }
        }
        waiting.sleep(patience.interval);
    }
}
