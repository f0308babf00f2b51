// Mistake: returns the slot the front uses: the new version would be
// started on the port the live one holds.

pub use switcher::health::wait_healthy;
pub use switcher::include::switch_include;
pub use switcher::stop::stop;
use crate::Slot;

pub fn idle_slot(
    slots: &[Slot],
    front_port: Option<u16>,
    profile: Option<&str>,
) -> Result<usize, String> {
    if slots.len() < 2 {
        return Err("two slots needed".into());
    }
    let Some(port) = front_port else { return Ok(0) };
    let live = slots
        .iter()
        .position(|s| s.port == port)
        .ok_or(format!("port {port} is no slot"))?;
    match profile {
        Some(p) if p.trim() != slots[live].profile => Err("disagree".into()),
        _ => Ok(live),
    }
}
