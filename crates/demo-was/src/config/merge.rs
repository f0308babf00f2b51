//! Many layers into one set of effective settings, keeping provenance.
//!
//! This is lab 8's first exercise; the chapter states its rules as a table.
//! The reference is below, between the anchors the solution page includes.

use super::{Layer, Setting, Settings};

// ANCHOR: merge
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
// ANCHOR_END: merge

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::{Entry, LayerKind, Source};

    fn layer(kind: LayerKind, entries: &[(&str, &str, &str)]) -> Layer {
        Layer {
            kind,
            entries: entries
                .iter()
                .map(|(key, value, origin)| Entry {
                    key: key.to_string(),
                    value: value.to_string(),
                    source: Source {
                        kind,
                        origin: origin.to_string(),
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn the_last_layer_wins_and_remembers_what_it_beat() {
        let settings = merge(&[
            layer(LayerKind::Default, &[("version", "0.1", "built-in")]),
            layer(
                LayerKind::RepoFile,
                &[("version", "1", "a:1:1"), ("listen", "x", "a:2:1")],
            ),
            layer(LayerKind::Env, &[("version", "2", "DEMO_WAS_VERSION")]),
        ]);
        let version = settings.get("version").unwrap();
        assert_eq!(version.value, "2");
        assert_eq!(version.source.origin, "DEMO_WAS_VERSION");
        let beaten: Vec<&str> = version
            .overridden
            .iter()
            .map(|s| s.origin.as_str())
            .collect();
        assert_eq!(beaten, ["built-in", "a:1:1"]);
        assert_eq!(settings.value("listen"), Some("x"));
    }
}
