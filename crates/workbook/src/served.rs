//! What the served book learns from the CLI: instructor mode or not, and
//! the learner's grade on each lab's page.
//!
//! The book is static HTML served by miniproxy, which has no dynamic routes,
//! so the CLI writes small JSON files next to the pages, and
//! `book/theme/course.js` fetches them:
//!
//! - `workbook-session.json`, written by `serve`: instructor mode or not;
//! - `workbook-progress.json`, written by `serve` and again by every `check`
//!   (and `watch`) after it grades: per lab, its page, its last grade and
//!   the command to run next. The lab page asks for it every few seconds, so
//!   the grade on the page follows the terminal.
//!
//! A book opened any other way (a file, another server) has neither file,
//! and reads as a learner's book with no grades: speaker notes hidden.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::labs::{self, Lab};
use crate::manifest::Manifest;
use crate::state::{LastCheck, Outcome, State};
use crate::{book, fsutil, invocation};

/// The file's name, in the site's root directory.
pub const FILE: &str = "workbook-session.json";

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Session {
    /// Speaker notes shown, presenter view offered.
    pub instructor: bool,
}

impl Session {
    pub fn new(instructor: bool) -> Session {
        Session { instructor }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a session always encodes")
    }
}

/// Writes the session file into the built site (atomically: a page loading
/// at that moment reads the old file or the new one, never half of one).
pub fn write(site: &Path, session: &Session) -> anyhow::Result<()> {
    let path = site.join(FILE);
    fsutil::write_atomic(&path, session.to_json().as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// The progress file's name, in the site's root directory.
pub const PROGRESS_FILE: &str = "workbook-progress.json";

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Progress {
    pub labs: Vec<LabPage>,
}

/// What one lab's page shows.
#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct LabPage {
    pub number: u32,
    pub title: String,
    /// The page with the lab's section, as served (`ch02-reverse-proxy.html`).
    pub page: String,
    /// The last grade, `None` before the first `check`.
    pub grade: Option<LastCheck>,
    /// One line: where the learner stands.
    pub headline: String,
    /// The commands to run next, in order, ready to paste.
    pub next: Vec<String>,
}

impl LabPage {
    pub fn new(lab: &Lab, manifest: &Manifest, grade: Option<LastCheck>) -> LabPage {
        let n = lab.number;
        let check = invocation::suggest(&format!("check {n}"));
        let (headline, next) = match &grade {
            None => ("Not graded yet.".to_string(), vec![check]),
            Some(grade) => match grade.outcome {
                Outcome::Passing => (
                    format!("All {} graded tests pass. Well done!", grade.total),
                    Vec::new(),
                ),
                Outcome::Failing => {
                    let first = grade
                        .first_failure
                        .as_deref()
                        .map(|test| format!(" First failing test: {test}."))
                        .unwrap_or_default();
                    let hint = match &grade.exercise {
                        Some(exercise) => format!("hint {n} {exercise}"),
                        None => format!("hint {n}"),
                    };
                    (
                        format!(
                            "{} of {} graded tests pass.{first}",
                            grade.passed, grade.total
                        ),
                        vec![invocation::suggest(&hint), check],
                    )
                }
                Outcome::CompileError => (
                    format!("{} does not compile.", lab.show("src/exercise.rs")),
                    vec![format!("cargo test -p {}", lab.package()), check],
                ),
                Outcome::BuildFailed => (
                    "Cargo stopped before any graded test ran.".to_string(),
                    vec![check],
                ),
            },
        };
        LabPage {
            number: n,
            title: manifest.title.clone(),
            page: html_page(&manifest.page),
            grade,
            headline,
            next,
        }
    }
}

/// `ch02-reverse-proxy.md` -> `ch02-reverse-proxy.html`, as mdBook names it.
fn html_page(markdown: &str) -> String {
    match markdown.strip_suffix(".md") {
        Some(stem) => format!("{stem}.html"),
        None => markdown.to_string(),
    }
}

impl Progress {
    /// Every lab with a readable manifest, with its grade from `state`.
    pub fn of(root: &Path, state: &State) -> anyhow::Result<Progress> {
        let mut pages = Vec::new();
        for lab in labs::discover(root)? {
            // A lab whose manifest is broken has no page to show a grade on;
            // `check` and `verify` report the manifest itself.
            let Ok(manifest) = Manifest::load(&lab) else {
                continue;
            };
            let grade = state.lab(&lab).last_check;
            pages.push(LabPage::new(&lab, &manifest, grade));
        }
        Ok(Progress { labs: pages })
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("progress always encodes")
    }
}

/// Writes the progress file into `site`.
pub fn write_progress(site: &Path, progress: &Progress) -> anyhow::Result<()> {
    let path = site.join(PROGRESS_FILE);
    fsutil::write_atomic(&path, progress.to_json().as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

/// After a `check`: refreshes the progress file of a book that was built
/// (by `serve`), so an open lab page shows the new grade in `state`. Nothing to do
/// when there is no book or it was never built.
pub fn refresh_progress(root: &Path, state: &State) -> anyhow::Result<()> {
    if !root.join("book.toml").is_file() {
        return Ok(());
    }
    let site = book::site_dir(root)?;
    if !site.join("index.html").is_file() {
        return Ok(());
    }
    write_progress(&site, &Progress::of(root, state)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn lab(n: u32) -> Lab {
        Lab {
            number: n,
            dir: PathBuf::from(format!("/w/labs/lab-{n}")),
        }
    }

    fn manifest() -> Manifest {
        Manifest::parse("title = \"Proxy\"\nchapter = 2\npage = \"ch02-proxy.md\"\n").unwrap()
    }

    fn grade(outcome: Outcome, passed: usize, total: usize) -> LastCheck {
        LastCheck {
            outcome,
            passed,
            total,
            first_failure: Some("choose::skips_the_unhealthy".into()),
            exercise: Some("choose".into()),
            at: 1_795_700_000,
        }
    }

    #[test]
    fn an_ungraded_lab_says_so_and_suggests_check() {
        let page = LabPage::new(&lab(2), &manifest(), None);
        assert_eq!(page.page, "ch02-proxy.html");
        assert_eq!(page.headline, "Not graded yet.");
        assert_eq!(page.next, vec![invocation::suggest("check 2")]);
    }

    #[test]
    fn a_failing_lab_names_its_first_failure_and_the_hint_for_its_exercise() {
        let page = LabPage::new(&lab(2), &manifest(), Some(grade(Outcome::Failing, 12, 14)));
        assert_eq!(
            page.headline,
            "12 of 14 graded tests pass. First failing test: choose::skips_the_unhealthy."
        );
        assert_eq!(
            page.next,
            vec![
                invocation::suggest("hint 2 choose"),
                invocation::suggest("check 2")
            ]
        );
    }

    #[test]
    fn a_passing_lab_has_nothing_left_to_run() {
        let page = LabPage::new(&lab(2), &manifest(), Some(grade(Outcome::Passing, 14, 14)));
        assert_eq!(page.headline, "All 14 graded tests pass. Well done!");
        assert!(page.next.is_empty());
    }

    #[test]
    fn a_compile_error_points_at_the_full_compiler_output() {
        let page = LabPage::new(
            &lab(2),
            &manifest(),
            Some(grade(Outcome::CompileError, 0, 0)),
        );
        assert_eq!(
            page.headline,
            "labs/lab-2/src/exercise.rs does not compile."
        );
        assert_eq!(page.next[0], "cargo test -p lab-2");
    }

    #[test]
    fn the_session_file_says_whether_this_is_an_instructor() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &Session::new(true)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["instructor"], serde_json::Value::Bool(true));
    }
}
