//! Layered configuration, the way Spring Boot does it.
//!
//! A deployed application reads its settings from several places at once,
//! and each place exists for a reason:
//!
//! | layer (weakest first) | where                                  | why it exists                                   |
//! |-----------------------|----------------------------------------|-------------------------------------------------|
//! | built-in defaults     | this crate                             | it runs with no file at all                     |
//! | the in-repo file      | `demo-was.toml`, committed to git      | what every copy shares; reviewed like code      |
//! | the external file     | outside the repo (`DEMO_WAS_CONFIG`)   | this machine's values and **secrets**, not on git |
//! | environment variables | `DEMO_WAS_DATABASE_PASSWORD=…`         | what systemd or Kubernetes inject at start      |
//! | flags                 | `--set key=value`, `--port`            | a one-off override, typed by a person           |
//!
//! A stronger layer wins. Each file may have per-profile sections
//! (`[profile.prod]`, `[profile.blue]`); the one for the running profile
//! beats the rest of the same file.
//!
//! The modules, one step each:
//!
//! - `keys`: the settings that exist, which are secret, how each is named
//!   in a file, a variable and a flag.
//! - `layers`: reading one file, the environment and the flags into a
//!   [`Layer`]: entries that remember where they came from.
//! - `merge`: many layers into one [`Settings`] (lab 8 writes it).
//! - `guard`: what the `prod` profile refuses to start with (lab 8 too).
//! - `show`: `demo-was config --show`, secrets masked.
//! - `load`: the whole pipeline, from [`Sources`] to a checked [`Config`].

mod guard;
mod keys;
mod layers;
mod load;
mod merge;
mod show;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::secret::MASK;

pub use guard::guard;
pub use keys::{env_name, is_secret, DdlAuto, KEYS};
pub use layers::{parse_set, read_env, read_file, read_flags};
pub use load::{load, Config, ConfigError, DatabaseConfig, Hooks, Loaded, Sources};
pub use merge::merge;
pub use show::show;

// ANCHOR: types
/// The kinds of layer, weakest first: a later kind beats an earlier one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LayerKind {
    Default,
    RepoFile,
    ExternalFile,
    Env,
    Flag,
}

/// Where one value came from: the layer, and the exact place in it
/// (`/etc/demo-was/prod.toml:4:14 [profile.prod]`, `DEMO_WAS_VERSION`,
/// `--set version`). Never the value itself: a source may be printed next to
/// a secret's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub kind: LayerKind,
    pub origin: String,
}

/// One `key = value` read from one layer.
#[derive(Clone, PartialEq, Eq)]
pub struct Entry {
    /// A name from [`KEYS`], such as `database.ddl-auto`.
    pub key: String,
    pub value: String,
    pub source: Source,
}

/// Everything one place said, in the order it said it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layer {
    pub kind: LayerKind,
    pub entries: Vec<Entry>,
}

/// One effective setting: the value that won, where it came from, and the
/// sources it beat (weakest first), so `--show` can explain it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    pub value: String,
    pub source: Source,
    pub overridden: Vec<Source>,
}

/// The effective settings, by key.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Settings(pub BTreeMap<String, Setting>);
// ANCHOR_END: types

impl Settings {
    /// The setting for `key`, if any layer set it.
    pub fn get(&self, key: &str) -> Option<&Setting> {
        self.0.get(key)
    }

    /// Its value.
    pub fn value(&self, key: &str) -> Option<&str> {
        self.get(key).map(|setting| setting.value.as_str())
    }
}

// `{:?}` of settings ends up in logs and panic messages: secrets masked.
impl fmt::Debug for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let value: &dyn fmt::Debug = if is_secret(&self.key) {
            &MASK
        } else {
            &self.value
        };
        f.debug_struct("Entry")
            .field("key", &self.key)
            .field("value", value)
            .field("source", &self.source)
            .finish()
    }
}

impl fmt::Debug for Settings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (key, setting) in &self.0 {
            if is_secret(key) {
                let masked = Setting {
                    value: MASK.to_string(),
                    ..setting.clone()
                };
                map.entry(key, &masked);
            } else {
                map.entry(key, setting);
            }
        }
        map.finish()
    }
}

impl fmt::Display for LayerKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LayerKind::Default => "built-in default",
            LayerKind::RepoFile => "in-repo file",
            LayerKind::ExternalFile => "external file",
            LayerKind::Env => "environment",
            LayerKind::Flag => "flag",
        })
    }
}

impl fmt::Display for Source {
    /// `external file /etc/demo-was/prod.toml:4:14 [profile.prod]`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.kind == LayerKind::Default {
            return f.write_str("built-in default");
        }
        write!(f, "{} {}", self.kind, self.origin)
    }
}

/// What the guard knows about the external file: its path and permission
/// bits (`0o600`, `0o644`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExternalFile {
    pub path: PathBuf,
    pub mode: u32,
}
