//! A lab's manifest, `labs/lab-N/lab.toml`: everything the CLI knows about
//! a lab that is not in its code.
//!
//! ```toml
//! title = "The web server in front"
//! chapter = 1
//! page = "ch01-ws-vs-was.md"
//!
//! [[exercise]]
//! name = "classify"
//! section = "Static or dynamic?"
//! hints = ["a nudge", "an approach"]
//!
//! [[mistake]]
//! file = "mistakes/classify_first_dot.rs"
//! caught_by = "classify::the_extension_follows_the_last_dot"
//! ```
//!
//! Nothing in the CLI hard-codes a chapter, an exercise or a hint: a new lab
//! is a new directory with its manifest. Unknown keys are refused, so a typo
//! (`hint =` for `hints =`) is an error with its line, not a silently empty
//! list.

use std::path::PathBuf;

use anyhow::Context;
use serde::Deserialize;

use crate::labs::Lab;

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub title: String,
    /// The chapter the lab ends; failing tests point at its sections.
    pub chapter: u32,
    /// The chapter's page in `book/src`.
    pub page: String,
    #[serde(default, rename = "exercise")]
    pub exercises: Vec<Exercise>,
    #[serde(default, rename = "mistake")]
    pub mistakes: Vec<Mistake>,
}

/// One function (or impl) the learner writes in `src/exercise.rs`.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    /// The function's name; graded tests live in a module of that name.
    pub name: String,
    /// The heading of the chapter section that explains it.
    pub section: String,
    /// From a nudge to an approach, never the code.
    #[serde(default)]
    pub hints: Vec<String>,
}

/// A plausible wrong answer and the graded test that must catch it.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Mistake {
    /// Relative to the lab's directory: `mistakes/x.rs`.
    pub file: PathBuf,
    /// The graded test's name as libtest prints it: `module::test`.
    pub caught_by: String,
}

impl Manifest {
    pub fn load(lab: &Lab) -> anyhow::Result<Manifest> {
        let shown = lab.show("lab.toml");
        let text = std::fs::read_to_string(lab.manifest())
            .with_context(|| format!("{lab} has no manifest ({shown})"))?;
        Manifest::parse(&text).with_context(|| format!("{shown} is not valid"))
    }

    pub fn parse(text: &str) -> anyhow::Result<Manifest> {
        // toml's error already names the line and column and shows it.
        Ok(toml::from_str(text)?)
    }

    /// The exercise called `name`, or one line naming those there are.
    pub fn exercise(&self, name: &str) -> anyhow::Result<&Exercise> {
        self.exercises
            .iter()
            .find(|e| e.name == name)
            .with_context(|| {
                let names: Vec<&str> = self.exercises.iter().map(|e| e.name.as_str()).collect();
                format!(
                    "no exercise `{name}` here: the exercises are {}",
                    names.join(", ")
                )
            })
    }

    /// The exercise a graded test belongs to, by its module
    /// (`classify::prefixes_match` → `classify`).
    pub fn exercise_of_test(&self, test: &str) -> Option<&Exercise> {
        let module = test.split("::").next()?;
        self.exercises.iter().find(|e| e.name == module)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
        title = "T"
        chapter = 2
        page = "ch02-x.md"

        [[exercise]]
        name = "pick"
        section = "Picking"
        hints = ["one", "two"]

        [[mistake]]
        file = "mistakes/a.rs"
        caught_by = "pick::a_case"
    "#;

    #[test]
    fn reads_exercises_hints_and_mistakes() {
        let m = Manifest::parse(SAMPLE).unwrap();
        assert_eq!(m.chapter, 2);
        assert_eq!(m.exercises[0].hints, ["one", "two"]);
        assert_eq!(m.mistakes[0].caught_by, "pick::a_case");
        assert_eq!(m.exercise_of_test("pick::a_case").unwrap().name, "pick");
        assert!(m.exercise_of_test("other::x").is_none());
    }

    #[test]
    fn an_unknown_key_is_an_error_with_its_line() {
        let text = SAMPLE.replace("hints =", "hint =");
        let err = format!("{:#}", Manifest::parse(&text).unwrap_err());
        assert!(err.contains("line 9"), "{err}");
        assert!(err.contains("unknown field `hint`"), "{err}");
    }

    #[test]
    fn an_unknown_exercise_names_those_there_are() {
        let m = Manifest::parse(SAMPLE).unwrap();
        let err = m.exercise("resolve").unwrap_err().to_string();
        assert_eq!(err, "no exercise `resolve` here: the exercises are pick");
    }
}
