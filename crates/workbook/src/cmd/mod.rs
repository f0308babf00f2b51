//! One file per command, one enum to dispatch them (the shape of
//! mini-redis's `cmd/`): adding a command is a new file here and a variant
//! below, and `main.rs` never grows.

pub mod check;
pub mod hint;
pub mod prepare;
pub mod reset;
pub mod serve;
pub mod verify;
pub mod watch;

use std::path::Path;
use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build the book and serve it on 127.0.0.1 (the default command)
    Serve(serve::ServeArgs),
    /// Run the graded tests of lab N (or of every lab) and show the score
    Check(check::CheckArgs),
    /// Show the next hint for lab N (per exercise: `hint 1 resolve`)
    Hint(hint::HintArgs),
    /// Grade, then grade again every time you save an exercise file
    Watch(watch::WatchArgs),
    /// Put lab N's exercise back as shipped (your file is backed up first)
    Reset(reset::ResetArgs),
    /// Instructors: build every tool, every lab and the book before a session
    Prepare,
    /// For maintainers and CI: prove every graded test passes on the solution,
    /// fails on the stubs, and catches every shipped mistake (`verify 4`: one lab)
    Verify(verify::VerifyArgs),
}

impl Command {
    pub fn run(&self, root: &Path) -> anyhow::Result<ExitCode> {
        match self {
            Command::Serve(args) => serve::run(root, args),
            Command::Check(args) => check::run(root, args),
            Command::Hint(args) => hint::run(root, args),
            Command::Watch(args) => watch::run(root, args),
            Command::Reset(args) => reset::run(root, args),
            Command::Prepare => prepare::run(root),
            Command::Verify(args) => verify::run(root, args),
        }
    }
}
