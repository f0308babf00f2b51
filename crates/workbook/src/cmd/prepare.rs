//! `workbook prepare`: build everything a session needs, before it starts.
//!
//! An instructor runs this the day before (or while people find seats), so
//! that nothing compiles on stage: every binary a chapter runs
//! (`cargo run -p miniproxy`, `-p demo-was`, …), every lab both as shipped
//! and with its solution, and the book.
//!
//! It only helps if later commands reuse what it built, and cargo decides
//! the features of every dependency per command, from the packages that
//! command selects: `cargo build --workspace` and `cargo build -p demo-was`
//! can ask for different builds of the same crate. So prepare runs the very
//! commands a session runs, one package at a time (`cargo build -p <each
//! package with a binary>`, `cargo test -p lab-N --no-run`), and a
//! learner's `cargo run -p demo-was` afterwards finds everything built.
//! Shared dependencies are declared once, with their features, in the
//! workspace's `[workspace.dependencies]`, which keeps those per-command
//! builds identical in practice (measured in the closing note).

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};

use crate::book;
use crate::grading::build::SOLUTION_FEATURE;
use crate::labs;

pub fn run(root: &Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    for package in packages_with_binaries(&cargo, root)? {
        steps.push((
            format!("`cargo run -p {package}`"),
            ["build", "-p", &package].map(String::from).into(),
        ));
    }
    for lab in labs::discover(root)? {
        let package = lab.package();
        steps.push((
            format!("{lab} as shipped"),
            ["test", "-p", &package, "--no-run"]
                .map(String::from)
                .into(),
        ));
        steps.push((
            format!("{lab} with its solution"),
            [
                "test",
                "-p",
                &package,
                "--no-run",
                "--features",
                SOLUTION_FEATURE,
            ]
            .map(String::from)
            .into(),
        ));
    }

    for (what, args) in &steps {
        println!("Preparing {what}: cargo {}", args.join(" "));
        let step = Instant::now();
        // Cargo's own progress goes straight to the terminal: a long first
        // build should show that it is working.
        let status = Command::new(&cargo)
            .args(args)
            .current_dir(root)
            .status()
            .with_context(|| format!("cannot run {}", cargo.to_string_lossy()))?;
        if !status.success() {
            bail!(
                "preparing {what} failed: cargo {} ({status})",
                args.join(" ")
            );
        }
        println!("  done in {:.1} s", step.elapsed().as_secs_f64());
    }

    println!("Preparing the book");
    book::build(root).context("cannot build the book")?;
    println!(
        "Ready in {:.0} s: `cargo run -p <tool>`, `cargo test -p lab-N` and the \
         book now start without compiling anything shared.",
        started.elapsed().as_secs_f64()
    );
    Ok(ExitCode::SUCCESS)
}

/// The workspace's packages that have a binary, from `cargo metadata`
/// (so a new tool needs no edit here).
fn packages_with_binaries(cargo: &OsStr, root: &Path) -> anyhow::Result<Vec<String>> {
    let output = Command::new(cargo)
        .args(["metadata", "--no-deps", "--format-version", "1"])
        .current_dir(root)
        .output()
        .with_context(|| format!("cannot run {}", cargo.to_string_lossy()))?;
    if !output.status.success() {
        bail!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).context("cargo metadata printed no JSON")?;
    let mut names: Vec<String> = metadata["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|package| {
            package["targets"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|target| {
                    target["kind"]
                        .as_array()
                        .is_some_and(|kinds| kinds.iter().any(|k| k == "bin"))
                })
        })
        .filter_map(|package| package["name"].as_str().map(String::from))
        .collect();
    names.sort();
    Ok(names)
}
