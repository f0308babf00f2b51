//! Blue and green: the two slots a version can run in, and which one is idle.
//!
//! A slot is a name, the port its copy listens on, and the profile its copy
//! answers at `/profile`. Two by default (`blue` on 8081, `green` on 8082,
//! as in the seed's tutorial); any number works, taken in turn.

use std::fmt;

/// One place a version can run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Slot {
    pub name: String,
    pub port: u16,
    /// What the copy in this slot says at `/profile`.
    pub profile: String,
}

impl Slot {
    pub fn new(name: &str, port: u16) -> Slot {
        Slot {
            name: name.into(),
            port,
            profile: name.into(),
        }
    }

    /// The default pair: blue on 8081, green on 8082.
    pub fn defaults() -> Vec<Slot> {
        vec![Slot::new("blue", 8081), Slot::new("green", 8082)]
    }

    /// Reads `green:8082` or `green:8082:prod-green` (name, port, profile).
    pub fn parse(text: &str) -> Result<Slot, String> {
        let mut parts = text.split(':');
        let name = parts.next().filter(|n| !n.is_empty());
        let port = parts.next().and_then(|p| p.parse::<u16>().ok());
        let (Some(name), Some(port)) = (name, port) else {
            return Err(format!("`{text}` is not a slot like green:8082"));
        };
        let profile = parts.next().unwrap_or(name);
        Ok(Slot {
            name: name.into(),
            port,
            profile: profile.into(),
        })
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (port {})", self.name, self.port)
    }
}

// ANCHOR: idle_slot
/// Which slot the new version goes to.
///
/// `front_port` is the port the front proxy sends traffic to now (`None`:
/// it sends traffic nowhere we know, the first deploy). `profile` is what
/// `/profile` on that port answered (`None`: nothing answered).
pub fn idle_slot(
    slots: &[Slot],
    front_port: Option<u16>,
    profile: Option<&str>,
) -> Result<usize, String> {
    if slots.len() < 2 {
        return Err("blue/green needs at least two slots".into());
    }
    let Some(port) = front_port else {
        // Nothing is live yet: the first slot.
        return Ok(0);
    };
    let Some(live) = slots.iter().position(|slot| slot.port == port) else {
        return Err(format!(
            "the front sends traffic to port {port}, which is no slot of ours; fix the front first"
        ));
    };
    match profile {
        // Two witnesses that disagree: deploying now could stop the copy
        // that serves. Refuse, and say what each one said.
        Some(said) if said.trim() != slots[live].profile => Err(format!(
            "the front sends traffic to {} but port {port} says profile `{}`; refusing to guess",
            slots[live],
            said.trim()
        )),
        // The live copy answers as itself, or does not answer at all (it
        // is down, and the next slot is still the one to use).
        _ => Ok((live + 1) % slots.len()),
    }
}
// ANCHOR_END: idle_slot
