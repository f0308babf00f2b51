//! `workbook reset N`: start a lab over.
//!
//! Copies the pristine stub (`labs/lab-N/stub/exercise.rs`, shipped
//! byte-identical to the original exercise) back over
//! `labs/lab-N/src/exercise.rs`, and forgets the lab's hint progress, so
//! starting over really starts over.
//!
//! The learner's file is never simply destroyed: it is kept first in
//! `.workbook/backups/` (gitignored with the rest of `.workbook/`), and the
//! path is printed. Reset still asks, and refuses to guess when it cannot
//! ask: with no terminal on stdin (a script, CI, a pipe) it requires `--yes`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;

use crate::fsutil;
use crate::invocation;
use crate::labs::{self, Lab};
use crate::state::State;

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// Lab number
    pub lab: u32,
    /// Do not ask for confirmation (required when stdin is not a terminal)
    #[arg(long, short)]
    pub yes: bool,
}

pub fn run(root: &Path, args: &ResetArgs) -> anyhow::Result<ExitCode> {
    let number = args.lab;
    let lab = labs::find(root, number)?;
    let exercise_shown = lab.show("src/exercise.rs");
    let stub = std::fs::read(lab.stub()).with_context(|| {
        format!(
            "cannot read the shipped stub {}",
            lab.show("stub/exercise.rs")
        )
    })?;
    let mine = std::fs::read(lab.exercise()).ok();

    // Nothing to lose, nothing to ask; hint progress is still cleared.
    if mine.as_deref() == Some(stub.as_slice()) {
        forget_hints(root, &lab)?;
        println!("{exercise_shown} is already the shipped stub; hint progress cleared.");
        return Ok(ExitCode::SUCCESS);
    }

    if !args.yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "reset needs confirmation and stdin is not a terminal; \
                 run `{}` to reset without asking",
                invocation::suggest(&format!("reset {number} --yes"))
            );
        }
        print!(
            "Reset lab {number}? {exercise_shown} goes back to the stub (a backup is kept) [y/N] "
        );
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
            println!("Not reset; {exercise_shown} is unchanged.");
            return Ok(ExitCode::SUCCESS);
        }
    }

    if let Some(mine) = mine {
        let backup = backup(root, &lab, &mine)?;
        println!("Your previous file is kept as {}", backup.display());
    }
    fsutil::write_atomic(&lab.exercise(), &stub)?;
    forget_hints(root, &lab)?;
    println!("Reset {exercise_shown} to the shipped stub, and cleared its hint progress.");
    Ok(ExitCode::SUCCESS)
}

/// Writes `contents` to the first free `.workbook/backups/lab-N-exercise-K.rs`.
fn backup(root: &Path, lab: &Lab, contents: &[u8]) -> anyhow::Result<PathBuf> {
    let dir = root.join(".workbook").join("backups");
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let path = (1..)
        .map(|k| dir.join(format!("{}-exercise-{k}.rs", lab.package())))
        .find(|path| !path.exists())
        .expect("an unbounded range always has a free name");
    fsutil::write_atomic(&path, contents)?;
    Ok(path)
}

fn forget_hints(root: &Path, lab: &Lab) -> anyhow::Result<()> {
    let mut state = State::load(root)?;
    state.forget_lab(lab);
    state.save(root)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_never_overwrite_each_other() {
        let root = tempfile::tempdir().unwrap();
        let lab = Lab {
            number: 1,
            dir: root.path().join("labs/lab-1"),
        };
        let first = backup(root.path(), &lab, b"one").unwrap();
        let second = backup(root.path(), &lab, b"two").unwrap();
        assert!(first.ends_with(".workbook/backups/lab-1-exercise-1.rs"));
        assert!(second.ends_with(".workbook/backups/lab-1-exercise-2.rs"));
        assert_eq!(std::fs::read(first).unwrap(), b"one");
        assert_eq!(std::fs::read(second).unwrap(), b"two");
    }
}
