//! `workbook hint N [EXERCISE]`: one hint at a time.
//!
//! Hints live in the lab's manifest (`labs/lab-N/lab.toml`), per exercise,
//! ordered from a nudge to an approach; none of them is the code. They are
//! shown one per call, in order, and the count shown is remembered per
//! exercise (see `state`): a learner who asks twice gets the *next* hint,
//! not the same nudge again, and hints for `resolve` never use up those for
//! `classify`. `--again` re-reads the last one without spending a new one.
//!
//! Without an exercise name, a lab with one exercise shows its hint; a lab
//! with several lists them with what has been seen, because guessing which
//! function the learner is stuck on would spend a hint on the wrong one.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use crate::invocation;
use crate::labs::{self, Lab};
use crate::manifest::{Exercise, Manifest};
use crate::state::State;

#[derive(Debug, Args)]
pub struct HintArgs {
    /// Lab number
    pub lab: u32,
    /// Which exercise (function) of the lab; asked for when the lab has several
    pub exercise: Option<String>,
    /// Show the last hint again instead of the next one
    #[arg(long)]
    pub again: bool,
}

pub fn run(root: &Path, args: &HintArgs) -> anyhow::Result<ExitCode> {
    let lab = labs::find(root, args.lab)?;
    let manifest = Manifest::load(&lab)?;
    let mut state = State::load(root)?;

    let exercise = match (&args.exercise, manifest.exercises.as_slice()) {
        (Some(name), _) => manifest.exercise(name)?,
        (None, [only]) => only,
        (None, []) => {
            println!("{lab} has no exercises with hints.");
            return Ok(ExitCode::SUCCESS);
        }
        (None, several) => {
            print!("{}", menu(&lab, several, &state));
            return Ok(ExitCode::SUCCESS);
        }
    };

    let total = exercise.hints.len();
    let name = &exercise.name;
    if total == 0 {
        println!("{lab} has no hints for {name}.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut progress = state.lab(&lab);
    // Clamped: the manifest may have lost hints since they were shown.
    let shown = progress.hints_shown(name).min(total);
    let again = format!("hint {} {name} --again", lab.number);

    if args.again {
        if shown == 0 {
            println!(
                "No hint shown yet for {name}; `{}` shows the first.",
                invocation::suggest(&format!("hint {} {name}", lab.number))
            );
        } else {
            print!("{}", render(&lab, exercise, shown));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if shown == total {
        println!(
            "That was the last hint: you have seen all {total} hints for {name}.\n\
             `{}` shows hint {total} again; the chapter's section \"{}\", the \
             failing test's message and, once you are done, the solution page \
             say the rest.",
            invocation::suggest(&again),
            exercise.section
        );
        return Ok(ExitCode::SUCCESS);
    }

    // Record first, then show: if the progress file cannot be written the
    // learner hears about it instead of silently seeing hint 1 forever.
    progress.hints.insert(name.clone(), shown + 1);
    state.set_lab(&lab, progress);
    state.save(root)?;
    print!("{}", render(&lab, exercise, shown + 1));
    Ok(ExitCode::SUCCESS)
}

/// Hint number `n` (1-based) of `exercise`, with what to do next.
fn render(lab: &Lab, exercise: &Exercise, n: usize) -> String {
    let total = exercise.hints.len();
    let name = &exercise.name;
    let mut out = format!(
        "Lab {}, {name}, hint {n} of {total} (chapter section \"{}\"):\n\n{}\n\n",
        lab.number,
        exercise.section,
        exercise.hints[n - 1].trim()
    );
    if n < total {
        out.push_str(&format!(
            "Still stuck? `{}` shows hint {} of {total}.\n",
            invocation::suggest(&format!("hint {} {name}", lab.number)),
            n + 1
        ));
    } else {
        out.push_str(&format!("That is the last hint for {name}.\n"));
    }
    out
}

/// The exercises of a lab with several, and how far into each one's hints
/// the learner is.
fn menu(lab: &Lab, exercises: &[Exercise], state: &State) -> String {
    let progress = state.lab(lab);
    let mut out = format!("{lab} has hints for each of its exercises:\n");
    for exercise in exercises {
        let shown = progress
            .hints_shown(&exercise.name)
            .min(exercise.hints.len());
        out.push_str(&format!(
            "  {:<12} {shown} of {} seen   `{}`\n",
            exercise.name,
            exercise.hints.len(),
            invocation::suggest(&format!("hint {} {}", lab.number, exercise.name))
        ));
    }
    out.push_str("Pick the one you are stuck on (the failing test's name starts with it).\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LabProgress;

    fn lab() -> Lab {
        Lab {
            number: 1,
            dir: "/w/labs/lab-1".into(),
        }
    }

    fn exercise(name: &str, hints: &[&str]) -> Exercise {
        Exercise {
            name: name.into(),
            section: "Which file?".into(),
            hints: hints.iter().map(|h| h.to_string()).collect(),
        }
    }

    #[test]
    fn renders_number_total_exercise_and_section() {
        let e = exercise("resolve", &[" look at each segment \n", "x"]);
        assert_eq!(
            render(&lab(), &e, 1),
            format!(
                "Lab 1, resolve, hint 1 of 2 (chapter section \"Which file?\"):\n\n\
                 look at each segment\n\nStill stuck? `{}` shows hint 2 of 2.\n",
                invocation::suggest("hint 1 resolve")
            )
        );
        assert!(render(&lab(), &e, 2).ends_with("That is the last hint for resolve.\n"));
    }

    #[test]
    fn the_menu_counts_each_exercise_apart() {
        let mut state = State::default();
        let mut progress = LabProgress::default();
        progress.hints.insert("resolve".into(), 1);
        state.set_lab(&lab(), progress);
        let text = menu(
            &lab(),
            &[
                exercise("classify", &["a", "b"]),
                exercise("resolve", &["c"]),
            ],
            &state,
        );
        assert!(text.contains("classify     0 of 2 seen"), "{text}");
        assert!(text.contains("resolve      1 of 1 seen"), "{text}");
    }
}
