//! `workbook`: the learner's CLI for Deploy Workbook.
//!
//! One binary, one job per subcommand, one file per command under `cmd/`:
//!
//! | command   | what it does                                                  |
//! |-----------|---------------------------------------------------------------|
//! | `serve`   | build the book and serve it on 127.0.0.1 (the default);       |
//! |           | `--instructor` shows speaker notes and the presenter view     |
//! | `check`   | grade a lab and print a scoreboard                            |
//! | `hint`    | show the next hint of an exercise, remembering what was shown |
//! | `watch`   | re-grade whenever an exercise file is saved                   |
//! | `reset`   | back up the learner's exercise, restore the shipped stub      |
//! | `prepare` | build every tool, lab and the book before a session           |
//! | `verify`  | prove the lab contract: solution passes, stubs fail, every    |
//! |           | shipped mistake is caught, every section named exists         |
//!
//! The supporting modules, one idea each: `workspace` (where is the
//! workspace root), `labs` (which labs exist, where their files are),
//! `manifest` (a lab's `lab.toml`), `grading` (build, run and read a lab's
//! graded tests; shared by check, watch and verify), `sections` (a
//! chapter's headings), `state` (what the learner has already seen),
//! `watcher` (noticing saves), `fsutil` (writing files without leaving them
//! half-written), `book` (building the book) and `invocation` (so suggested
//! commands match how the learner runs us).
//!
//! Every command returns `anyhow::Result<ExitCode>`: an `Err` is a problem
//! worth one clear line on stderr ("no lab 7: labs are 1"); an `Ok` with a
//! failure code is an honest answer ("2 of 5 tests pass") that was already
//! printed.

mod book;
mod cmd;
mod fsutil;
mod grading;
mod invocation;
mod labs;
mod manifest;
mod sections;
mod served;
mod state;
mod watcher;
mod workspace;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cmd::{serve, Command};

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
                "--port, --open and --instructor belong to `serve` (the default command); \
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
                instructor: args.instructor || cli.serve.instructor,
            },
        ),
        Some(command) => command.run(&root),
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
        // A log line that cannot be written (stderr closed) is dropped;
        // the default reports it with `eprintln!`, which would panic.
        .log_internal_errors(false)
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
