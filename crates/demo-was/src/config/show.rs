//! `demo-was config --show`: every effective value, and where it came from.
//!
//! When production behaves unlike your laptop, the first question is "what
//! does it actually run with?". This answers it without starting anything,
//! one line per key, secrets masked (their source is shown: that is what
//! you need to find them).

use super::keys::{is_secret, KEYS};
use super::Settings;
use crate::secret::MASK;

// ANCHOR: show
/// The `--show` report: the profile, then each known key as
/// `key = value   <- source (overrides …)`.
pub fn show(profile: &str, profile_source: &str, settings: &Settings) -> String {
    let mut out = format!("{:<17} = {profile}   <- {profile_source}\n", "profile");
    for (key, _, _) in KEYS {
        let line = match settings.get(key) {
            None => format!("{key:<17} = (unset)\n"),
            Some(setting) => {
                let value = if is_secret(key) {
                    MASK
                } else {
                    setting.value.as_str()
                };
                let mut line = format!("{key:<17} = {value}   <- {}", setting.source);
                if !setting.overridden.is_empty() {
                    let beaten: Vec<String> =
                        setting.overridden.iter().map(|s| s.to_string()).collect();
                    line.push_str(&format!(" (overrides {})", beaten.join(", ")));
                }
                line + "\n"
            }
        };
        out.push_str(&line);
    }
    out
}
// ANCHOR_END: show
