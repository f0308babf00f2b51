//! Reading each place settings come from into a [`Layer`]: a list of
//! entries that each remember their exact origin. Remembering the origin is
//! the whole point: "why is ddl-auto `create` in production?" has an answer
//! only if every value knows where it came from.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use super::keys::{env_name, is_known, is_secret, KEYS};
use super::load::ConfigError;
use super::{Entry, Layer, LayerKind, Source};

/// The file's shape. Unknown keys are refused (`deny_unknown_fields`): a
/// typo such as `ddl_auto` must stop the start, not be skipped.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileTop {
    listen: Option<Spanned<toml::Value>>,
    version: Option<Spanned<toml::Value>>,
    database: Option<FileDatabase>,
    #[serde(default)]
    profile: BTreeMap<String, FileSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    listen: Option<Spanned<toml::Value>>,
    version: Option<Spanned<toml::Value>>,
    database: Option<FileDatabase>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDatabase {
    path: Option<Spanned<toml::Value>>,
    password: Option<Spanned<toml::Value>>,
    #[serde(rename = "ddl-auto")]
    ddl_auto: Option<Spanned<toml::Value>>,
}

/// Reads one TOML file: its top-level settings, then those of
/// `[profile.<profile>]`, which come later and so win within the file.
/// Other profiles' sections are checked for typos, then left out.
pub fn read_file(path: &Path, kind: LayerKind, profile: &str) -> Result<Layer, ConfigError> {
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path)
        .map_err(|error| ConfigError(format!("cannot read {shown}: {error}")))?;
    parse_file(&text, &shown, kind, profile)
}

pub(crate) fn parse_file(
    text: &str,
    shown: &str,
    kind: LayerKind,
    profile: &str,
) -> Result<Layer, ConfigError> {
    let at = |offset: usize, message: &str| {
        let (line, column) = line_and_column(text, offset);
        ConfigError(format!("{shown}:{line}:{column}: {message}"))
    };
    // toml's own messages name keys and positions, never a value we read.
    let top: FileTop = toml::from_str(text).map_err(|error| {
        let offset = error.span().map_or(0, |span| span.start);
        at(offset, error.message().trim())
    })?;
    let mut entries = Vec::new();
    let mut add = |settings: FileSettings, section: &str| -> Result<(), ConfigError> {
        let mut pairs = vec![("listen", settings.listen), ("version", settings.version)];
        if let Some(database) = settings.database {
            pairs.push(("database.path", database.path));
            pairs.push(("database.password", database.password));
            pairs.push(("database.ddl-auto", database.ddl_auto));
        }
        for (key, value) in pairs {
            let Some(value) = value else { continue };
            let start = value.span().start;
            let text_value = match value.get_ref() {
                toml::Value::String(text) => text.clone(),
                toml::Value::Integer(number) => number.to_string(),
                toml::Value::Boolean(flag) => flag.to_string(),
                // Never echo the value: it may be a secret typed wrongly.
                _ => return Err(at(start, &format!("`{key}` must be text"))),
            };
            let (line, column) = line_and_column(text, start);
            entries.push(Entry {
                key: key.to_string(),
                value: text_value,
                source: Source {
                    kind,
                    origin: format!("{shown}:{line}:{column}{section}"),
                },
            });
        }
        Ok(())
    };
    let base = FileSettings {
        listen: top.listen,
        version: top.version,
        database: top.database,
    };
    add(base, "")?;
    let mut profiles = top.profile;
    if let Some(settings) = profiles.remove(profile) {
        add(settings, &format!(" [profile.{profile}]"))?;
    }
    Ok(Layer { kind, entries })
}

/// Variables that configure where settings come from rather than a setting.
pub const PROFILE_VAR: &str = "DEMO_WAS_PROFILE";
pub const CONFIG_VAR: &str = "DEMO_WAS_CONFIG";

/// The `DEMO_WAS_*` variables of `env`. Any other `DEMO_WAS_` name is a typo
/// and refused, with the names that exist.
pub fn read_env(env: &BTreeMap<String, String>) -> Result<Layer, ConfigError> {
    let mut entries = Vec::new();
    for (name, value) in env {
        if !name.starts_with("DEMO_WAS_") || name == PROFILE_VAR || name == CONFIG_VAR {
            continue;
        }
        let Some((key, _, _)) = KEYS.iter().find(|(key, _, _)| env_name(key) == *name) else {
            let known: Vec<String> = KEYS.iter().map(|(key, _, _)| env_name(key)).collect();
            return Err(ConfigError(format!(
                "unknown variable {name} (known: {}, {PROFILE_VAR}, {CONFIG_VAR})",
                known.join(", ")
            )));
        };
        entries.push(Entry {
            key: key.to_string(),
            value: value.clone(),
            source: Source {
                kind: LayerKind::Env,
                origin: name.clone(),
            },
        });
    }
    Ok(Layer {
        kind: LayerKind::Env,
        entries,
    })
}

/// Flags, in the order given: `(flag as typed, key, value)`, such as
/// `("--set", "database.ddl-auto", "none")` or `("--port", "listen", "127.0.0.1:9000")`.
pub fn read_flags(flags: &[(String, String, String)]) -> Result<Layer, ConfigError> {
    let mut entries = Vec::new();
    for (flag, key, value) in flags {
        if !is_known(key) {
            let known: Vec<&str> = KEYS.iter().map(|(key, _, _)| *key).collect();
            return Err(ConfigError(format!(
                "{flag} {key}: unknown setting (known: {})",
                known.join(", ")
            )));
        }
        let origin = if flag == "--set" {
            format!("--set {key}")
        } else {
            flag.clone()
        };
        entries.push(Entry {
            key: key.clone(),
            value: value.clone(),
            source: Source {
                kind: LayerKind::Flag,
                origin,
            },
        });
    }
    Ok(Layer {
        kind: LayerKind::Flag,
        entries,
    })
}

/// `key=value` from `--set`, or why not. A secret's value is never echoed.
pub fn parse_set(text: &str) -> Result<(String, String), String> {
    let Some((key, value)) = text.split_once('=') else {
        return Err("expected KEY=VALUE, such as database.ddl-auto=none".into());
    };
    let key = key.trim();
    if !is_known(key) {
        let known: Vec<&str> = KEYS.iter().map(|(key, _, _)| *key).collect();
        return Err(format!(
            "unknown setting `{key}` (known: {})",
            known.join(", ")
        ));
    }
    if is_secret(key) {
        // A flag shows in `ps` and in shell history: the wrong place for it.
        return Err(format!(
            "{key} is a secret: put it in the external file or in {}, not on the command line",
            env_name(key)
        ));
    }
    Ok((key.to_string(), value.to_string()))
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "listen = \"127.0.0.1:9000\"\n\n[database]\nddl-auto = \"update\"\n\n[profile.prod.database]\nddl-auto = \"validate\"\n\n[profile.blue]\nlisten = \"127.0.0.1:8081\"\n";

    #[test]
    fn a_file_gives_its_profile_section_last() {
        let layer = parse_file(FILE, "app.toml", LayerKind::RepoFile, "prod").unwrap();
        let found: Vec<(&str, &str, &str)> = layer
            .entries
            .iter()
            .map(|e| (e.key.as_str(), e.value.as_str(), e.source.origin.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("listen", "127.0.0.1:9000", "app.toml:1:10"),
                ("database.ddl-auto", "update", "app.toml:4:12"),
                (
                    "database.ddl-auto",
                    "validate",
                    "app.toml:7:12 [profile.prod]"
                ),
            ]
        );
    }

    #[test]
    fn typos_point_at_file_line_column() {
        let err = parse_file(
            "[database]\nddl_auto = \"create\"\n",
            "x.toml",
            LayerKind::RepoFile,
            "local",
        )
        .unwrap_err();
        assert!(
            err.0.starts_with("x.toml:2:1: unknown field `ddl_auto`"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_secret_is_never_echoed() {
        let err = parse_file(
            "[database]\npassword = [\"hunter2\"]\n",
            "x.toml",
            LayerKind::RepoFile,
            "local",
        )
        .unwrap_err();
        assert!(!err.0.contains("hunter2"), "{err}");
        assert!(err.0.starts_with("x.toml:2:12"), "{err}");
    }

    #[test]
    fn unknown_variables_are_refused() {
        let env = BTreeMap::from([("DEMO_WAS_DDL_AUTO".to_string(), "none".to_string())]);
        let err = read_env(&env).unwrap_err();
        assert!(err.0.contains("DEMO_WAS_DATABASE_DDL_AUTO"), "{err}");
    }

    #[test]
    fn secrets_are_refused_on_the_command_line_without_echo() {
        let err = parse_set("database.password=hunter2").unwrap_err();
        assert!(!err.contains("hunter2") && err.contains("DEMO_WAS_DATABASE_PASSWORD"));
        assert!(parse_set("nope=1").is_err());
        assert_eq!(
            parse_set("version=2").unwrap(),
            ("version".into(), "2".into())
        );
    }
}
