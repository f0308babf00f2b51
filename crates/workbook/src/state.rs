//! The learner's progress, kept in `.workbook/state.toml` at the workspace
//! root (gitignored: it is yours, not the course's).
//!
//! It remembers how many hints of each exercise were shown, so `hint` can
//! show the next one, and the grade of the last `check` (or `watch`), so the
//! served book can show it on the lab's page. It is plain TOML so a learner
//! (or instructor) can read and edit it:
//!
//! ```toml
//! [labs.lab-1.hints]
//! classify = 2
//! resolve = 1
//!
//! [labs.lab-1.last_check]
//! outcome = "failing"
//! passed = 12
//! total = 18
//! first_failure = "resolve::a_double_dot_inside_a_name_is_just_a_name"
//! exercise = "resolve"
//! at = 1795700000
//! ```
//!
//! A file that does not parse is reported, never silently replaced: losing
//! someone's progress to a stray edit would be worse than one error line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::{Deserialize, Serialize};

use crate::fsutil;
use crate::labs::Lab;

#[derive(Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct State {
    /// Keyed by package name (`lab-1`), which reads well as a TOML table.
    #[serde(default)]
    pub labs: BTreeMap<String, LabProgress>,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LabProgress {
    /// Per exercise, how many of its hints were shown (in order).
    #[serde(default)]
    pub hints: BTreeMap<String, usize>,
    /// What the last `check` of this lab found; none before the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_check: Option<LastCheck>,
}

/// One lab's grade, as the last `check` left it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LastCheck {
    pub outcome: Outcome,
    /// Graded tests that passed, of `total` (both 0 when it did not build).
    pub passed: usize,
    pub total: usize,
    /// The first failing test, as `check` names it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_failure: Option<String>,
    /// The exercise that test is about, when the manifest says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exercise: Option<String>,
    /// When, in seconds since the Unix epoch (the page shows it in the
    /// reader's own time zone).
    pub at: u64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Every graded test passed.
    Passing,
    /// It built, and some graded tests failed.
    Failing,
    /// `exercise.rs` does not compile.
    CompileError,
    /// Cargo stopped for another reason (a broken manifest, say).
    BuildFailed,
}

impl LabProgress {
    pub fn hints_shown(&self, exercise: &str) -> usize {
        self.hints.get(exercise).copied().unwrap_or(0)
    }
}

const HEADER: &str = "\
# Deploy Workbook progress (written by `workbook`; safe to edit or delete).
# [labs.lab-N.hints]: per exercise, how many hints `workbook hint` has shown.
# [labs.lab-N.last_check]: the grade of the last `workbook check`.

";

pub fn path(root: &Path) -> PathBuf {
    root.join(".workbook").join("state.toml")
}

impl State {
    pub fn load(root: &Path) -> anyhow::Result<State> {
        let path = path(root);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        toml::from_str(&text).with_context(|| {
            format!(
                "{} is not valid (fix it, or delete it to start over)",
                path.display()
            )
        })
    }

    pub fn save(&self, root: &Path) -> anyhow::Result<()> {
        let path = path(root);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let body = toml::to_string(self).context("cannot encode the progress file")?;
        fsutil::write_atomic(&path, format!("{HEADER}{body}").as_bytes())
    }

    pub fn lab(&self, lab: &Lab) -> LabProgress {
        self.labs.get(&lab.package()).cloned().unwrap_or_default()
    }

    pub fn set_lab(&mut self, lab: &Lab, progress: LabProgress) {
        self.labs.insert(lab.package(), progress);
    }

    /// Forgets everything about `lab` (a reset starts it over).
    pub fn forget_lab(&mut self, lab: &Lab) {
        self.labs.remove(&lab.package());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lab(n: u32) -> Lab {
        Lab {
            number: n,
            dir: PathBuf::from(format!("/w/labs/lab-{n}")),
        }
    }

    #[test]
    fn missing_file_is_a_fresh_start() {
        let root = tempfile::tempdir().unwrap();
        assert_eq!(State::load(root.path()).unwrap(), State::default());
    }

    #[test]
    fn round_trips_through_a_readable_file() {
        let root = tempfile::tempdir().unwrap();
        let mut state = State::default();
        let mut progress = LabProgress::default();
        progress.hints.insert("classify".into(), 2);
        state.set_lab(&lab(1), progress);
        state.save(root.path()).unwrap();

        let text = std::fs::read_to_string(path(root.path())).unwrap();
        assert!(
            text.contains("[labs.lab-1.hints]\nclassify = 2\n"),
            "{text}"
        );
        let loaded = State::load(root.path()).unwrap();
        assert_eq!(loaded.lab(&lab(1)).hints_shown("classify"), 2);
        assert_eq!(loaded.lab(&lab(1)).hints_shown("resolve"), 0);
        assert_eq!(loaded.lab(&lab(2)).hints_shown("classify"), 0);
    }

    #[test]
    fn a_file_from_the_one_sequence_days_still_loads() {
        // Before hints were per exercise, a lab had `hints_shown = N`.
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(".workbook")).unwrap();
        std::fs::write(path(root.path()), "[labs.lab-1]\nhints_shown = 2\n").unwrap();
        let loaded = State::load(root.path()).unwrap();
        assert_eq!(loaded.lab(&lab(1)).hints_shown("classify"), 0);
    }

    #[test]
    fn a_broken_file_is_reported_not_overwritten() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join(".workbook")).unwrap();
        std::fs::write(path(root.path()), "[labs.lab-1\n").unwrap();
        let err = format!("{:#}", State::load(root.path()).unwrap_err());
        assert!(err.contains("delete it to start over"), "{err}");
    }
}
