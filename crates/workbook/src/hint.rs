//! `workbook hint N`: one hint at a time.
//!
//! Hints live next to the exercise, in `labs/lab-N/hints.toml`, as data:
//!
//! ```toml
//! [[hint]]
//! exercise = "resolve"
//! text = "Split the path on '/' and look at each piece on its own."
//! ```
//!
//! They are ordered from a nudge to nearly the answer, so they are shown one
//! per call, in order, and the count shown is remembered (see `state`): a
//! learner who asks twice gets the *next* hint, not the same nudge again.
//! `--again` re-reads the last one without spending a new one.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use serde::Deserialize;

use crate::invocation;
use crate::labs::{self, Lab};
use crate::state::{LabProgress, State};

#[derive(Debug, Deserialize)]
struct HintsFile {
    #[serde(default)]
    hint: Vec<Hint>,
}

#[derive(Debug, Deserialize, PartialEq, Eq)]
pub struct Hint {
    /// Which exercise (function) of the lab the hint is about.
    pub exercise: String,
    pub text: String,
}

pub fn load(lab: &Lab) -> anyhow::Result<Vec<Hint>> {
    let path = lab.hints();
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{lab} has no hints file ({})", lab.show("hints.toml")))?;
    let file: HintsFile = toml::from_str(&text)
        .with_context(|| format!("{} is not valid", lab.show("hints.toml")))?;
    Ok(file.hint)
}

pub fn run(root: &Path, number: u32, again: bool) -> anyhow::Result<ExitCode> {
    let lab = labs::find(root, number)?;
    let hints = load(&lab)?;
    let total = hints.len();
    if total == 0 {
        println!("{lab} has no hints.");
        return Ok(ExitCode::SUCCESS);
    }
    let mut state = State::load(root)?;
    // Clamped: the hints file may have lost hints since they were shown.
    let shown = state.lab(&lab).hints_shown.min(total);

    if again {
        if shown == 0 {
            println!(
                "No hint shown yet for {lab}; `{}` shows the first.",
                invocation::suggest(&format!("hint {number}"))
            );
        } else {
            print!("{}", render(&lab, &hints, shown));
        }
        return Ok(ExitCode::SUCCESS);
    }
    if shown == total {
        println!(
            "That was the last hint: you have seen all {total} hints for {lab}.\n\
             `{}` shows hint {total} again; the book's \
             chapter and the failing test's message say the rest.",
            invocation::suggest(&format!("hint {number} --again"))
        );
        return Ok(ExitCode::SUCCESS);
    }

    // Record first, then show: if the progress file cannot be written the
    // learner hears about it instead of silently seeing hint 1 forever.
    state.set_lab(
        &lab,
        LabProgress {
            hints_shown: shown + 1,
        },
    );
    state.save(root)?;
    print!("{}", render(&lab, &hints, shown + 1));
    Ok(ExitCode::SUCCESS)
}

/// Hint number `n` (1-based) with its heading and what to do next.
fn render(lab: &Lab, hints: &[Hint], n: usize) -> String {
    let hint = &hints[n - 1];
    let total = hints.len();
    let mut out = format!(
        "Lab {}, hint {n} of {total} ({}):\n\n{}\n\n",
        lab.number,
        hint.exercise,
        hint.text.trim()
    );
    if n < total {
        out.push_str(&format!(
            "Still stuck? `{}` shows hint {} of {total}.\n",
            invocation::suggest(&format!("hint {}", lab.number)),
            n + 1
        ));
    } else {
        out.push_str("That is the last hint.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_hints_format_in_order() {
        let file: HintsFile = toml::from_str(
            r#"
            [[hint]]
            exercise = "resolve"
            text = "first"

            [[hint]]
            exercise = "classify"
            text = """
            second,
            on two lines
            """
            "#,
        )
        .unwrap();
        assert_eq!(file.hint.len(), 2);
        assert_eq!(file.hint[0].exercise, "resolve");
        assert_eq!(file.hint[1].exercise, "classify");
        assert!(file.hint[1].text.contains("on two lines"));
    }

    #[test]
    fn renders_number_total_and_exercise() {
        let lab = Lab {
            number: 1,
            dir: "/w/labs/lab-1".into(),
        };
        let hints = vec![
            Hint {
                exercise: "resolve".into(),
                text: " look at each segment \n".into(),
            },
            Hint {
                exercise: "classify".into(),
                text: "x".into(),
            },
        ];
        assert_eq!(
            render(&lab, &hints, 1),
            format!(
                "Lab 1, hint 1 of 2 (resolve):\n\nlook at each segment\n\n\
                 Still stuck? `{}` shows hint 2 of 2.\n",
                invocation::suggest("hint 1")
            )
        );
        assert!(render(&lab, &hints, 2).ends_with("That is the last hint.\n"));
    }
}
