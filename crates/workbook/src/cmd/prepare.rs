//! `workbook prepare`: build everything a session needs, before it starts.
//!
//! An instructor runs this the day before (or while people find seats), so
//! that nothing compiles on stage: every binary a chapter runs
//! (`cargo run -p miniproxy`, `-p demo-was`, …), every lab both as shipped
//! and with its solution, and the book.
//!
//! It only helps if later commands reuse what it built. Cargo decides the
//! features of a shared dependency per command, from the packages that
//! command selects, so `cargo run -p demo-was` could otherwise ask for a
//! slightly different tokio than a workspace build and rebuild it. The
//! `workspace-hack` crate, which every member depends on, asks for the
//! union of features once, so every command asks for the same builds.

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::Instant;

use anyhow::{bail, Context};

use crate::book;
use crate::grading::build::SOLUTION_FEATURE;
use crate::labs;

pub fn run(root: &Path) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let mut steps: Vec<(String, Vec<String>)> = vec![(
        "every binary the chapters run".into(),
        ["build", "--workspace", "--bins"].map(String::from).into(),
    )];
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

    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
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
