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
//!
//! One exception, on purpose: miniproxy's `tls` feature (chapter 8, lab 9).
//! It brings rustls, ring, rcgen and x509-parser, with the features they
//! ask of crates others use too. Unifying those would make *every* lab
//! compile a TLS stack it never uses (ring alone is C and assembly to
//! build), so they stay out of workspace-hack: a command whose packages
//! do not ask for TLS may lack exactly the features that `tls` adds, and
//! nothing else. The price, a shared crate built once with and once
//! without those features, is paid only when switching between lab 9 and
//! the others; today that is num-traits alone, a small crate.

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

/// Per crate, the features only miniproxy's `tls` feature adds: the
/// difference between miniproxy's tree with it and without it.
fn tls_only() -> Features {
    let with = features(&["-p", "miniproxy", "--features", "tls", "-e", "normal,build"]);
    let without = features(&["-p", "miniproxy", "-e", "normal,build"]);
    with.into_iter()
        .map(|(krate, all)| {
            let base = without.get(&krate).cloned().unwrap_or_default();
            let added = all.difference(&base).cloned().collect();
            (krate, added)
        })
        .collect()
}

#[test]
fn every_command_asks_for_the_same_dependency_features() {
    let whole = features(&["--workspace", "--all-features"]);
    let tls_only = tls_only();
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
            let found = features(args);
            // A build without rustls did not ask for TLS: it may lack what
            // `tls` adds (and only that).
            let without_tls = !found.keys().any(|krate| krate.starts_with("rustls "));
            for (krate, wanted) in found {
                let all = &whole[&krate];
                if &wanted != all {
                    let missing: Vec<&String> = all.difference(&wanted).collect();
                    let only_tls = tls_only.get(&krate);
                    if without_tls
                        && wanted.is_subset(all)
                        && only_tls.is_some_and(|added| missing.iter().all(|f| added.contains(*f)))
                    {
                        continue;
                    }
                    differences.push(format!(
                        "{command}: {krate} lacks {missing:?} (add it to crates/workspace-hack \
                         with the features {all:?})"
                    ));
                }
            }
        }
    }
    // Chapter 8's promise: the first lab never compiles a TLS stack.
    let lab_1 = features(&["-p", "lab-1", "-e", "normal,build,dev"]);
    let tls: Vec<&String> = lab_1
        .keys()
        .filter(|k| {
            ["rustls ", "ring ", "rcgen ", "x509-parser "]
                .iter()
                .any(|p| k.starts_with(p))
        })
        .collect();
    assert!(tls.is_empty(), "cargo test -p lab-1 compiles {tls:?}");
    assert!(
        differences.is_empty(),
        "commands that would rebuild shared crates:\n  {}",
        differences.join("\n  ")
    );
}
