// Mistake: believes the front alone; a live copy that answers with another
// profile (the front and the app disagree) is deployed over anyway.

pub use switcher::health::wait_healthy;
pub use switcher::include::switch_include;
pub use switcher::stop::stop;
use crate::Slot;

pub fn idle_slot(
    slots: &[Slot],
    front_port: Option<u16>,
    profile: Option<&str>,
) -> Result<usize, String> {
    let _ = profile;
    if slots.len() < 2 {
        return Err("two slots needed".into());
    }
    let Some(port) = front_port else { return Ok(0) };
    let live = slots
        .iter()
        .position(|s| s.port == port)
        .ok_or(format!("port {port} is no slot"))?;
    Ok((live + 1) % slots.len())
}
