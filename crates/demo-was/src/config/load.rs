//! The whole pipeline: where settings come from, to a checked [`Config`].
//!
//! 1. Decide the profile (flag, then `DEMO_WAS_PROFILE`, then `local`): it
//!    has to be known first, because it picks the file sections to read.
//! 2. Read each layer, weakest first: defaults, in-repo file, external file,
//!    environment, flags.
//! 3. Merge them ([`Hooks::merge`]) and guard the result ([`Hooks::guard`]).
//! 4. Turn the strings into types (an address, a [`DdlAuto`]), naming the
//!    source of any value that does not parse.
//!
//! The merge and the guard are plain function pointers so that lab 8 can
//! plug the learner's own in; a panic in either becomes an error here.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::keys::{DdlAuto, KEYS};
use super::layers::{read_env, read_file, read_flags, CONFIG_VAR, PROFILE_VAR};
use super::{Entry, ExternalFile, Layer, LayerKind, Settings, Source};
use crate::secret::Secret;

/// A configuration problem, as one line: `file:line:col: …`, or naming
/// the variable, flag or setting. Never a secret's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Everything the settings may come from. `main.rs` fills it from the real
/// command line and process environment; tests fill it by hand, so that
/// parallel tests never share one process's environment.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    /// `--profile`; else `DEMO_WAS_PROFILE` in `env`; else `local`.
    pub profile: Option<String>,
    /// The in-repo file (`demo-was.toml`), if any.
    pub repo_file: Option<PathBuf>,
    /// `--external-config`; else `DEMO_WAS_CONFIG` in `env`.
    pub external_file: Option<PathBuf>,
    /// The environment: only `DEMO_WAS_*` names are read.
    pub env: BTreeMap<String, String>,
    /// `(flag, key, value)`, in command-line order.
    pub flags: Vec<(String, String, String)>,
}

/// The two decisions lab 8 asks for.
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    pub merge: fn(&[Layer]) -> Settings,
    pub guard: fn(&str, &Settings, Option<&ExternalFile>) -> Result<(), String>,
}

impl Default for Hooks {
    fn default() -> Self {
        Hooks {
            merge: super::merge,
            guard: super::guard,
        }
    }
}

/// The settings, typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub listen: SocketAddr,
    pub version: String,
    /// `None` when `database.path` is unset.
    pub database: Option<DatabaseConfig>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DatabaseConfig {
    pub path: PathBuf,
    pub password: Option<Secret>,
    pub ddl_auto: DdlAuto,
    /// Where `ddl-auto` came from, for the log line that says what it did.
    pub ddl_auto_source: String,
}

/// What [`load`] found.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub profile: String,
    /// `flag --profile`, `environment DEMO_WAS_PROFILE` or `built-in default`.
    pub profile_source: String,
    pub settings: Settings,
    pub config: Config,
}

impl Loaded {
    /// The `--show` report.
    pub fn show(&self) -> String {
        super::show(&self.profile, &self.profile_source, &self.settings)
    }
}

// ANCHOR: load
/// Reads every layer, merges, guards, and types the result.
pub fn load(sources: &Sources, hooks: Hooks) -> Result<Loaded, ConfigError> {
    let (profile, profile_source) = match (&sources.profile, sources.env.get(PROFILE_VAR)) {
        (Some(profile), _) => (profile.clone(), "flag --profile".to_string()),
        (None, Some(profile)) => (profile.clone(), format!("environment {PROFILE_VAR}")),
        (None, None) => ("local".to_string(), "built-in default".to_string()),
    };
    let external_path = sources
        .external_file
        .clone()
        .or_else(|| sources.env.get(CONFIG_VAR).map(PathBuf::from));

    let mut layers = vec![defaults()];
    if let Some(path) = &sources.repo_file {
        layers.push(read_file(path, LayerKind::RepoFile, &profile)?);
    }
    let mut external = None;
    if let Some(path) = &external_path {
        layers.push(read_file(path, LayerKind::ExternalFile, &profile)?);
        external = Some(ExternalFile {
            path: path.clone(),
            mode: mode_of(path)?,
        });
    }
    layers.push(read_env(&sources.env)?);
    layers.push(read_flags(&sources.flags)?);

    let settings = guarded("merge", || (hooks.merge)(&layers))?;
    guarded("guard", || {
        (hooks.guard)(&profile, &settings, external.as_ref())
    })?
    .map_err(|refusal| ConfigError(format!("profile {profile} refuses to start: {refusal}")))?;
    let config = typed(&settings)?;
    Ok(Loaded {
        profile,
        profile_source,
        settings,
        config,
    })
}
// ANCHOR_END: load

fn defaults() -> Layer {
    let version = env!("CARGO_PKG_VERSION");
    let entries = KEYS
        .iter()
        .filter_map(|(key, default, _)| {
            let value = if *key == "version" {
                Some(version)
            } else {
                *default
            }?;
            Some(Entry {
                key: key.to_string(),
                value: value.to_string(),
                source: Source {
                    kind: LayerKind::Default,
                    origin: "built-in".to_string(),
                },
            })
        })
        .collect();
    Layer {
        kind: LayerKind::Default,
        entries,
    }
}

#[cfg(unix)]
fn mode_of(path: &std::path::Path) -> Result<u32, ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .map(|meta| meta.permissions().mode())
        .map_err(|error| ConfigError(format!("cannot read {}: {error}", path.display())))
}

#[cfg(not(unix))]
fn mode_of(_: &std::path::Path) -> Result<u32, ConfigError> {
    Ok(0o600)
}

/// Runs a hook; a panic (a `todo!()` in lab 8) becomes a one-line error.
fn guarded<T>(hook: &str, call: impl FnOnce() -> T) -> Result<T, ConfigError> {
    guarded::guarded(hook, call).map_err(ConfigError)
}

/// Strings to types. An error names the key, the value (never a secret's)
/// and the source, so you know which file or variable to fix.
fn typed(settings: &Settings) -> Result<Config, ConfigError> {
    let bad = |key: &str, expected: &str| {
        let setting = settings.get(key);
        let (value, source) = setting.map_or(("", String::new()), |s| {
            (s.value.as_str(), s.source.to_string())
        });
        ConfigError(format!(
            "{key} = {value:?} (from {source}): expected {expected}"
        ))
    };
    let listen = settings
        .value("listen")
        .unwrap_or("127.0.0.1:8081")
        .parse()
        .map_err(|_| bad("listen", "an address like 127.0.0.1:8081"))?;
    let version = settings
        .value("version")
        .unwrap_or(env!("CARGO_PKG_VERSION"))
        .to_string();
    let ddl = settings.get("database.ddl-auto");
    let ddl_auto = match ddl {
        None => DdlAuto::None,
        Some(setting) => DdlAuto::parse(&setting.value)
            .ok_or_else(|| bad("database.ddl-auto", &format!("one of {}", DdlAuto::NAMES)))?,
    };
    let database = settings.value("database.path").map(|path| DatabaseConfig {
        path: PathBuf::from(path),
        password: settings
            .value("database.password")
            .map(|p| Secret::new(p.to_string())),
        ddl_auto,
        ddl_auto_source: ddl.map_or("built-in default".into(), |s| s.source.to_string()),
    });
    Ok(Config {
        listen,
        version,
        database,
    })
}
