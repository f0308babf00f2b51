//! `workbook watch [N]`: the learner's loop, automated.
//!
//! Grade once, then wait for a save of an exercise file and grade that lab
//! again, until Ctrl-C. The watcher starts *before* the first grading, so a
//! save made while cargo is still running is not lost: it is waiting for us
//! when grading ends, and triggers the next round.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use crate::cmd::check;
use crate::labs::{self, Lab};
use crate::watcher::{ExerciseWatcher, DEBOUNCE};

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Lab number; all labs when omitted
    pub lab: Option<u32>,
}

pub fn run(root: &Path, args: &WatchArgs) -> anyhow::Result<ExitCode> {
    let labs = labs::select(root, args.lab)?;
    let files: Vec<PathBuf> = labs.iter().map(Lab::exercise).collect();
    let watcher = ExerciseWatcher::new(&files)?;

    check::grade_and_print(root, &labs)?;
    loop {
        println!("\n{}", waiting_line(&labs));
        let Some(changed) = watcher.next_change(DEBOUNCE, None)? else {
            continue;
        };
        // Grade only the labs whose exercise was saved.
        let to_grade: Vec<Lab> = labs
            .iter()
            .filter(|lab| changed.iter().any(|path| same_exercise(lab, path)))
            .cloned()
            .collect();
        clear_screen();
        for lab in &to_grade {
            println!("{} saved.", lab.show("src/exercise.rs"));
        }
        check::grade_and_print(root, &to_grade)?;
    }
}

fn waiting_line(labs: &[Lab]) -> String {
    let what = match labs {
        [lab] => lab.show("src/exercise.rs"),
        _ => "labs/lab-*/src/exercise.rs".to_string(),
    };
    format!("Watching {what}: save to grade again (Ctrl-C to stop).")
}

/// The watcher reports canonical paths; compare by the lab's directory name
/// rather than re-canonicalizing on every event.
fn same_exercise(lab: &Lab, changed: &Path) -> bool {
    let lab_dir = changed.parent().and_then(Path::parent);
    lab_dir.and_then(Path::file_name) == lab.dir.file_name()
}

/// A fresh screen per round, so the learner reads this save's result, not a
/// scrollback of old ones. Only on a terminal: piped output stays clean.
fn clear_screen() {
    if std::io::stdout().is_terminal() {
        print!("\x1b[2J\x1b[H");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_a_changed_path_to_its_lab() {
        let lab = Lab {
            number: 2,
            dir: PathBuf::from("/w/labs/lab-2"),
        };
        assert!(same_exercise(
            &lab,
            Path::new("/real/w/labs/lab-2/src/exercise.rs")
        ));
        assert!(!same_exercise(
            &lab,
            Path::new("/real/w/labs/lab-1/src/exercise.rs")
        ));
    }
}
