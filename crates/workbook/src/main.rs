//! `workbook`: the learner's CLI for Deploy Workbook.
//!
//! One binary, one job per subcommand, one module per idea:
//!
//! | command   | module     | what it does                                         |
//! |-----------|------------|------------------------------------------------------|
//! | `serve`   | `serve`    | build the book and serve it on 127.0.0.1             |
//! | `check`   | `check`    | run a lab's graded tests and print a scoreboard      |
//! | `hint`    | `hint`     | show the next hint, remembering what was shown       |
//! | `watch`   | `watch`    | re-grade whenever an exercise file is saved          |
//! | `reset`   | `reset`    | put the shipped stub back into `src/exercise.rs`     |
//! | `verify`  | `verify`   | prove every graded test fails on the stubs and       |
//! |           |            | passes on the reference solution (CI, maintainers)   |
//!
//! The supporting modules are `workspace` (where is the workspace root),
//! `labs` (which labs exist, where their files are), `cargo_test` (running
//! `cargo test` for a lab), `libtest` (reading its output), `state` (what the
//! learner has already seen), `watcher` (noticing saves), `fsutil`
//! (writing files without leaving them half-written) and `invocation` (so
//! suggested commands match how the learner runs us).
//!
//! Every command returns `anyhow::Result<ExitCode>`: an `Err` is a problem
//! worth one clear line on stderr ("no lab 7: labs are 1"); an `Ok` with a
//! failure code is an honest answer ("2 of 5 tests pass") that was already
//! printed.

mod book;
mod cargo_test;
mod check;
mod fsutil;
mod hint;
mod invocation;
mod labs;
mod libtest;
mod reset;
mod serve;
mod state;
mod verify;
mod watch;
mod watcher;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "workbook",
    version,
    about = "Deploy Workbook: read the book, do the labs, get graded",
    long_about = "Deploy Workbook: read the book, do the labs, get graded.\n\n\
        With no command, builds the book and serves it at http://127.0.0.1:3000/.\n\
        Each lab lives in labs/lab-N; the only file you edit is labs/lab-N/src/exercise.rs."
)]
struct Cli {
    /// The workspace to use [default: $WORKBOOK_ROOT, else the Cargo
    /// workspace containing the current directory, else the one this binary
    /// was built from]
    #[arg(long, global = true, value_name = "DIR")]
    root: Option<PathBuf>,

    #[command(subcommand)]
    command: Option<Command>,

    /// `workbook --port 3001` is `workbook serve --port 3001`.
    #[command(flatten)]
    serve: serve::ServeArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Build the book and serve it on 127.0.0.1 (the default command)
    Serve(serve::ServeArgs),
    /// Run the graded tests of lab N (or of every lab) and show the score
    Check {
        /// Lab number; all labs when omitted
        lab: Option<u32>,
    },
    /// Show the next hint for lab N
    Hint {
        /// Lab number
        lab: u32,
        /// Show the last hint again instead of the next one
        #[arg(long)]
        again: bool,
    },
    /// Grade, then grade again every time you save an exercise file
    Watch {
        /// Lab number; all labs when omitted
        lab: Option<u32>,
    },
    /// Throw away your edits to lab N's exercise and restore the shipped stub
    Reset {
        /// Lab number
        lab: u32,
        /// Do not ask for confirmation (required when stdin is not a terminal)
        #[arg(long, short)]
        yes: bool,
    },
    /// For maintainers and CI: prove every graded test passes with the
    /// reference solution and fails with the shipped stubs
    Verify,
}

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    // clap's `args_conflicts_with_subcommands` would also reject a global
    // `--root` before the subcommand, so this one conflict is checked here:
    // `workbook --port 3001 check` is a mistake worth reporting, not ignoring.
    let other_command = !matches!(cli.command, None | Some(Command::Serve(_)));
    if other_command && cli.serve.is_given() {
        Cli::command()
            .error(
                clap::error::ErrorKind::ArgumentConflict,
                "--port and --open belong to `serve` (the default command); \
                 they cannot be used with another command",
            )
            .exit();
    }
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line, which is
            // what a learner can read and paste into a question.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = workspace::find_root(cli.root)?;
    match cli.command {
        None => serve::run(&root, &cli.serve),
        // `workbook --open serve --port 3001` works too: flags merge.
        Some(Command::Serve(args)) => serve::run(
            &root,
            &serve::ServeArgs {
                port: args.port.or(cli.serve.port),
                open: args.open || cli.serve.open,
            },
        ),
        Some(Command::Check { lab }) => check::run(&root, lab),
        Some(Command::Hint { lab, again }) => hint::run(&root, lab, again),
        Some(Command::Watch { lab }) => watch::run(&root, lab),
        Some(Command::Reset { lab, yes }) => reset::run(&root, lab, yes),
        Some(Command::Verify) => verify::run(&root),
    }
}

/// Logs go to stderr and are quiet unless asked for (`RUST_LOG=debug`), so
/// the learner sees the scoreboard, not the machinery.
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn no_subcommand_means_serve_with_its_flags() {
        let cli = Cli::try_parse_from(["workbook", "--port", "3001", "--open"]).unwrap();
        assert!(cli.command.is_none());
        assert_eq!(cli.serve.port(), 3001);
        assert!(cli.serve.open);
        let cli = Cli::try_parse_from(["workbook"]).unwrap();
        assert_eq!(cli.serve.port(), 3000);
        assert!(!cli.serve.is_given());
    }

    #[test]
    fn root_is_global() {
        for args in [
            ["workbook", "check", "1", "--root", "/tmp/x"],
            ["workbook", "--root", "/tmp/x", "check", "1"],
        ] {
            let cli = Cli::try_parse_from(args).unwrap();
            assert_eq!(cli.root, Some(PathBuf::from("/tmp/x")));
        }
    }
}
