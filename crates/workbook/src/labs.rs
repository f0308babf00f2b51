//! Which labs exist and where their files are.
//!
//! A lab is a directory `labs/lab-N/` (N a number). Discovery is nothing more
//! than listing `labs/`, so adding a lab never means editing the CLI:
//!
//! ```text
//! labs/lab-N/
//!   Cargo.toml          package `lab-N`, feature `solution`
//!   src/exercise.rs     the one file the learner edits
//!   src/lib.rs          wires exercise.rs (or, with `solution`, the real crate) in
//!   stub/exercise.rs    the pristine stub, byte-identical to the shipped exercise.rs
//!   lab.toml            the manifest: chapter, exercises, hints, mistakes
//!   mistakes/*.rs       plausible wrong answers, each caught by a named test
//!   tests/*.rs          graded tests: every test in tests/ counts
//! ```

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lab {
    pub number: u32,
    /// Absolute path of `labs/lab-N`.
    pub dir: PathBuf,
}

impl Lab {
    /// The cargo package name, as in `cargo test -p lab-1`.
    pub fn package(&self) -> String {
        format!("lab-{}", self.number)
    }

    /// The file the learner edits.
    pub fn exercise(&self) -> PathBuf {
        self.dir.join("src").join("exercise.rs")
    }

    /// The shipped stub that `reset` copies back and `verify` compares to.
    pub fn stub(&self) -> PathBuf {
        self.dir.join("stub").join("exercise.rs")
    }

    pub fn manifest(&self) -> PathBuf {
        self.dir.join("lab.toml")
    }

    /// `labs/lab-N/<rel>` with forward slashes, for messages: the learner
    /// reads a short path they can type, not an absolute one.
    pub fn show(&self, rel: &str) -> String {
        format!("labs/lab-{}/{rel}", self.number)
    }
}

impl fmt::Display for Lab {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "lab {}", self.number)
    }
}

/// Every lab under `root/labs`, in numeric order (lab-10 after lab-9).
pub fn discover(root: &Path) -> anyhow::Result<Vec<Lab>> {
    let labs_dir = root.join("labs");
    if !labs_dir.is_dir() {
        return Ok(Vec::new());
    }
    let mut labs = Vec::new();
    for entry in std::fs::read_dir(&labs_dir)
        .with_context(|| format!("cannot list {}", labs_dir.display()))?
    {
        let entry = entry?;
        let name = entry.file_name();
        let Some(number) = name
            .to_str()
            .and_then(|n| n.strip_prefix("lab-"))
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        if entry.path().is_dir() {
            labs.push(Lab {
                number,
                dir: entry.path(),
            });
        }
    }
    labs.sort_by_key(|lab| lab.number);
    Ok(labs)
}

/// Lab `number`, or one clear line saying which labs there are.
pub fn find(root: &Path, number: u32) -> anyhow::Result<Lab> {
    let labs = discover(root)?;
    if let Some(lab) = labs.iter().find(|lab| lab.number == number) {
        return Ok(lab.clone());
    }
    if labs.is_empty() {
        bail!(
            "no lab {number}: there are no labs in {}",
            root.join("labs").display()
        );
    }
    let list: Vec<String> = labs.iter().map(|lab| lab.number.to_string()).collect();
    bail!("no lab {number}: labs are {}", list.join(", "))
}

/// One lab when a number is given, else all of them (at least one).
pub fn select(root: &Path, number: Option<u32>) -> anyhow::Result<Vec<Lab>> {
    match number {
        Some(n) => Ok(vec![find(root, n)?]),
        None => {
            let labs = discover(root)?;
            if labs.is_empty() {
                bail!("there are no labs in {}", root.join("labs").display());
            }
            Ok(labs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn workspace_with(labs: &[&str]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for name in labs {
            std::fs::create_dir_all(tmp.path().join("labs").join(name)).unwrap();
        }
        tmp
    }

    #[test]
    fn discovers_labs_in_numeric_order_and_skips_other_entries() {
        let tmp = workspace_with(&["lab-10", "lab-2", "lab-1", "notes", "lab-x"]);
        std::fs::write(tmp.path().join("labs/lab-3"), "a file, not a lab").unwrap();
        let numbers: Vec<u32> = discover(tmp.path())
            .unwrap()
            .iter()
            .map(|l| l.number)
            .collect();
        assert_eq!(numbers, [1, 2, 10]);
    }

    #[test]
    fn unknown_lab_names_the_labs_there_are() {
        let tmp = workspace_with(&["lab-1"]);
        let err = find(tmp.path(), 7).unwrap_err().to_string();
        assert_eq!(err, "no lab 7: labs are 1");

        let tmp = workspace_with(&["lab-1", "lab-2"]);
        let err = find(tmp.path(), 7).unwrap_err().to_string();
        assert_eq!(err, "no lab 7: labs are 1, 2");
    }

    #[test]
    fn paths_of_a_lab() {
        let lab = Lab {
            number: 3,
            dir: PathBuf::from("/w/labs/lab-3"),
        };
        assert_eq!(lab.package(), "lab-3");
        assert_eq!(lab.exercise(), Path::new("/w/labs/lab-3/src/exercise.rs"));
        assert_eq!(lab.stub(), Path::new("/w/labs/lab-3/stub/exercise.rs"));
        assert_eq!(lab.show("src/exercise.rs"), "labs/lab-3/src/exercise.rs");
    }
}
