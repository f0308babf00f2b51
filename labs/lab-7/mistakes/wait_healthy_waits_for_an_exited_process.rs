// Mistake: treats a process that exited like one that is not ready yet,
// and waits out the whole deadline for nothing.

pub use switcher::slots::idle_slot;
pub use switcher::include::switch_include;
pub use switcher::stop::stop;
use crate::{Health, Patience, Waiting};

pub fn wait_healthy(waiting: &mut dyn Waiting, patience: Patience) -> Result<u32, String> {
    let mut checks = 0;
    loop {
        checks += 1;
        let why = match waiting.probe() {
            Health::Up => return Ok(checks),
            Health::Exited(why) | Health::Down(why) => why,
        };
        let left = patience.deadline.saturating_sub(waiting.elapsed());
        if left.is_zero() {
            return Err(why);
        }
        waiting.sleep(left.min(patience.interval));
    }
}
