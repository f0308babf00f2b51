//! `workbook reset N`: start a lab over.
//!
//! Copies the pristine stub (`labs/lab-N/stub/exercise.rs`, shipped
//! byte-identical to the original exercise) back over
//! `labs/lab-N/src/exercise.rs`. That destroys the learner's work, so it
//! asks first, and refuses to guess when it cannot ask: with no terminal on
//! stdin (a script, CI, a pipe) it requires `--yes`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};

use crate::fsutil;
use crate::invocation;
use crate::labs;

pub fn run(root: &Path, number: u32, yes: bool) -> anyhow::Result<ExitCode> {
    let lab = labs::find(root, number)?;
    let exercise_shown = lab.show("src/exercise.rs");
    let stub = std::fs::read(lab.stub()).with_context(|| {
        format!(
            "cannot read the shipped stub {}",
            lab.show("stub/exercise.rs")
        )
    })?;

    // Nothing to lose, nothing to ask.
    if std::fs::read(lab.exercise()).ok().as_deref() == Some(stub.as_slice()) {
        println!("{exercise_shown} is already the shipped stub; nothing to reset.");
        return Ok(ExitCode::SUCCESS);
    }

    if !yes {
        if !std::io::stdin().is_terminal() {
            bail!(
                "reset needs confirmation and stdin is not a terminal; \
                 run `{}` to reset without asking",
                invocation::suggest(&format!("reset {number} --yes"))
            );
        }
        print!("Reset lab {number}? Your edits to {exercise_shown} will be lost [y/N] ");
        std::io::stdout().flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
            println!("Not reset; {exercise_shown} is unchanged.");
            return Ok(ExitCode::SUCCESS);
        }
    }

    fsutil::write_atomic(&lab.exercise(), &stub)?;
    println!("Reset {exercise_shown} to the shipped stub.");
    Ok(ExitCode::SUCCESS)
}
