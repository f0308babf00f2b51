//! Nothing recompiles between the commands of a session.
//!
//! Cargo picks the features of each dependency per command, from the
//! packages that command selects. When two commands see a shared dependency
//! with different features, the second rebuilds it and everything above it
//! (tokio, hyper, the engine: half a minute on 2 cores). The
//! `workspace-hack` crate, a dependency of every member, asks for the union
//! once. This test proves it still does: for every member, the features of
//! every third-party crate in `cargo test -p <member>` and, for tools,
//! `cargo run -p <member>` equal those of the whole workspace's build. When
//! a new dependency breaks that, the message names what to add.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

type Features = BTreeMap<String, BTreeSet<String>>;

/// `cargo tree` of `args`: third-party crate (`name vX.Y.Z`) → features.
fn features(args: &[&str]) -> Features {
    let output = Command::new(env!("CARGO"))
        .arg("tree")
        .args(args)
        .args(["--prefix", "none", "--format", "{p}|{f}"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut found = Features::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        // A crate met again is marked ` (*)` at the end of its line.
        let line = line.trim_end_matches(" (*)");
        let Some((package, list)) = line.split_once('|') else {
            continue;
        };
        // Our own crates are `name vX (/path)`: only registry crates matter.
        if package.contains("(/") {
            continue;
        }
        let name = package.split(' ').take(2).collect::<Vec<_>>().join(" ");
        found
            .entry(name)
            .or_default()
            .extend(list.split(',').filter(|f| !f.is_empty()).map(String::from));
    }
    found
}

/// Workspace members, and whether each has a binary to `cargo run`.
fn members() -> Vec<(String, bool)> {
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .expect("cargo metadata runs");
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    metadata["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|package| {
            let has_bin = package["targets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["kind"].as_array().unwrap().iter().any(|k| k == "bin"));
            (package["name"].as_str().unwrap().to_string(), has_bin)
        })
        .collect()
}

#[test]
fn every_command_asks_for_the_same_dependency_features() {
    let whole = features(&["--workspace", "--all-features"]);
    let mut differences = Vec::new();
    for (member, has_bin) in members() {
        let mut commands = vec![(
            format!("cargo test -p {member}"),
            vec!["-p", &member, "-e", "normal,build,dev"],
        )];
        if has_bin {
            commands.push((
                format!("cargo run -p {member}"),
                vec!["-p", &member, "-e", "normal,build"],
            ));
        }
        for (command, args) in &commands {
            for (krate, wanted) in features(args) {
                let all = &whole[&krate];
                if &wanted != all {
                    let missing: Vec<&String> = all.difference(&wanted).collect();
                    differences.push(format!(
                        "{command}: {krate} lacks {missing:?} (add it to crates/workspace-hack \
                         with the features {all:?})"
                    ));
                }
            }
        }
    }
    assert!(
        differences.is_empty(),
        "commands that would rebuild shared crates:\n  {}",
        differences.join("\n  ")
    );
}
