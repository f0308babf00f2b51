// Refuses create, but not create-drop.
#[allow(unused_imports)]
use crate::{ExternalFile, Layer, LayerKind, Setting, Settings};

/// Merges `layers`, given weakest first: a later layer beats an earlier one,
/// and within one layer a later entry beats an earlier one. Each setting
/// keeps the source of the value that won, and the sources it beat.
pub fn merge(layers: &[Layer]) -> Settings {
    let mut settings = Settings::default();
    for entry in layers.iter().flat_map(|layer| &layer.entries) {
        match settings.0.get_mut(&entry.key) {
            Some(setting) => {
                let beaten = std::mem::replace(&mut setting.source, entry.source.clone());
                setting.overridden.push(beaten);
                setting.value = entry.value.clone();
            }
            None => {
                settings.0.insert(
                    entry.key.clone(),
                    Setting {
                        value: entry.value.clone(),
                        source: entry.source.clone(),
                        overridden: Vec::new(),
                    },
                );
            }
        }
    }
    settings
}
/// In the `prod` profile, refuses (one line, naming the setting and its
/// source, never a secret's value):
/// - an external file whose mode allows more than `0600` (owner read/write);
/// - `database.ddl-auto` of `create` or `create-drop`, whichever layer set it;
/// - a `database.password` that comes from the in-repo file (it is on git).
///
/// Every other profile starts with anything.
pub fn guard(profile: &str, settings: &Settings, external: Option<&ExternalFile>) -> Result<(), String> {
    if profile != "prod" {
        return Ok(());
    }
    if let Some(file) = external {
        let mode = file.mode & 0o777;
        if mode & !0o600 != 0 {
            let path = file.path.display();
            return Err(format!(
                "{path} has mode {mode:04o}: other users may read it, and it holds secrets; fix: chmod 600 {path}"
            ));
        }
    }
    if let Some(ddl) = settings.get("database.ddl-auto") {
        if ddl.value == "create" {
            return Err(format!(
                "database.ddl-auto = {} (from {}) would drop the tables and lose the data; use validate or none in prod",
                ddl.value, ddl.source
            ));
        }
    }
    if let Some(password) = settings.get("database.password") {
        if password.source.kind == LayerKind::RepoFile {
            return Err(format!(
                "database.password comes from {}, which is on git; move it to the external file or DEMO_WAS_DATABASE_PASSWORD",
                password.source
            ));
        }
    }
    Ok(())
}
