//! Building a lab's graded test programs, read from cargo's JSON messages.
//!
//! `cargo test --no-run --message-format=json` prints one JSON object per
//! line on stdout: a `compiler-message` per diagnostic (with the text rustc
//! would have printed, in `rendered`), a `compiler-artifact` per thing
//! built (with the path of each test `executable`), and a closing
//! `build-finished`. That is cargo's stable interface for tools, so nothing
//! here depends on the wording of its human output.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::Context;
use serde::Deserialize;

use super::Code;
use crate::labs::Lab;

/// The feature that swaps the reference solution in, and the one (with its
/// environment variable) that swaps a known mistake in. Every lab's
/// `src/lib.rs` follows this contract.
pub const SOLUTION_FEATURE: &str = "solution";
pub const MISTAKE_FEATURE: &str = "mistake";
pub const MISTAKE_ENV: &str = "WORKBOOK_MISTAKE";

/// A built graded test program.
#[derive(Debug)]
pub struct Built {
    /// `tests/graded.rs`, relative to the lab.
    pub target: String,
    pub executable: PathBuf,
}

/// Why no test could run.
#[derive(Debug, Clone)]
pub struct BuildFailure {
    /// True for a compile error (as opposed to, say, a broken manifest).
    pub compile_error: bool,
    /// The first error, a few lines, ready to print.
    pub excerpt: String,
}

/// The cargo arguments that build `lab`'s tests with `code`.
pub fn args(lab: &Lab, code: Code) -> Vec<String> {
    let mut args: Vec<String> = [
        "test",
        "-p",
        &lab.package(),
        "--tests",
        "--no-run",
        "--message-format=json",
    ]
    .map(String::from)
    .into();
    match code {
        Code::Exercise => {}
        Code::Solution => args.extend(["--features".into(), SOLUTION_FEATURE.into()]),
        Code::Mistake(_) => args.extend(["--features".into(), MISTAKE_FEATURE.into()]),
    }
    args
}

/// Builds the lab; `Ok(Err(..))` when it does not build.
pub fn graded_programs(
    root: &Path,
    lab: &Lab,
    code: Code,
) -> anyhow::Result<Result<Vec<Built>, BuildFailure>> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut command = Command::new(&cargo);
    command.args(args(lab, code)).current_dir(root);
    if let Code::Mistake(file) = code {
        command.env(MISTAKE_ENV, file);
    }
    let output = command
        .output()
        .with_context(|| format!("cannot run {}", cargo.to_string_lossy()))?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    Ok(read_messages(
        &stdout,
        &stderr,
        &lab.dir.join("Cargo.toml"),
        &lab.dir,
    ))
}

#[derive(Debug, Deserialize)]
#[serde(tag = "reason")]
enum Message {
    #[serde(rename = "compiler-message")]
    Diagnostic { message: Diagnostic },
    #[serde(rename = "compiler-artifact")]
    Artifact {
        manifest_path: PathBuf,
        target: Target,
        executable: Option<PathBuf>,
    },
    #[serde(rename = "build-finished")]
    Finished { success: bool },
    #[serde(other)]
    Other,
}

#[derive(Debug, Deserialize)]
struct Diagnostic {
    level: String,
    rendered: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Target {
    kind: Vec<String>,
    src_path: PathBuf,
}

/// Reads cargo's messages: the lab's integration-test programs, or the
/// first error. `stderr` only matters when cargo itself failed before
/// compiling anything (an unknown package, a broken manifest).
pub fn read_messages(
    stdout: &str,
    stderr: &str,
    manifest: &Path,
    lab_dir: &Path,
) -> Result<Vec<Built>, BuildFailure> {
    let mut built = Vec::new();
    let mut first_error: Option<String> = None;
    let mut success = false;
    for line in stdout.lines().filter(|l| l.starts_with('{')) {
        let Ok(message) = serde_json::from_str::<Message>(line) else {
            continue;
        };
        match message {
            Message::Diagnostic { message }
                if message.level == "error" && first_error.is_none() =>
            {
                first_error = message.rendered;
            }
            Message::Artifact {
                manifest_path,
                target,
                executable: Some(executable),
            } if manifest_path == manifest && target.kind.iter().any(|k| k == "test") => {
                let target = target
                    .src_path
                    .strip_prefix(lab_dir)
                    .unwrap_or(&target.src_path)
                    .to_string_lossy()
                    .replace('\\', "/");
                built.push(Built { target, executable });
            }
            Message::Finished { success: s } => success = s,
            _ => {}
        }
    }
    if success {
        return Ok(built);
    }
    Err(match first_error {
        Some(rendered) => BuildFailure {
            compile_error: true,
            excerpt: first_lines(&rendered, 20),
        },
        None => BuildFailure {
            compile_error: false,
            excerpt: cargo_error(stderr),
        },
    })
}

/// At most `n` lines, without trailing blank ones.
fn first_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().take(n).collect();
    lines.join("\n").trim_end().to_string()
}

/// Cargo's own error: from its first `error` line on, or its last lines.
fn cargo_error(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("error"))
        .unwrap_or(lines.len().saturating_sub(10));
    lines[start..]
        .iter()
        .take(20)
        .copied()
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    const MANIFEST: &str = "/w/labs/lab-1/Cargo.toml";

    fn artifact(manifest: &str, kind: &str, src: &str, exe: Option<&str>) -> String {
        serde_json::json!({
            "reason": "compiler-artifact",
            "package_id": "path+file:///w/labs/lab-1#0.1.0",
            "manifest_path": manifest,
            "target": {"kind": [kind], "crate_types": ["bin"], "name": "x", "src_path": src},
            "profile": {"test": true},
            "executable": exe,
            "fresh": false
        })
        .to_string()
    }

    fn finished(success: bool) -> String {
        serde_json::json!({"reason": "build-finished", "success": success}).to_string()
    }

    fn read(lines: &[String], stderr: &str) -> Result<Vec<Built>, BuildFailure> {
        read_messages(
            &lines.join("\n"),
            stderr,
            Path::new(MANIFEST),
            Path::new("/w/labs/lab-1"),
        )
    }

    #[test]
    fn keeps_only_the_labs_integration_test_programs() {
        let lines = [
            artifact(
                "/w/crates/miniproxy/Cargo.toml",
                "lib",
                "/w/crates/miniproxy/src/lib.rs",
                None,
            ),
            artifact(
                MANIFEST,
                "lib",
                "/w/labs/lab-1/src/lib.rs",
                Some("/t/lab_1-1"),
            ),
            artifact(
                MANIFEST,
                "test",
                "/w/labs/lab-1/tests/graded.rs",
                Some("/t/graded-1"),
            ),
            "Compiling lab-1 (not JSON: ignored)".to_string(),
            finished(true),
        ];
        let built = read(&lines, "").unwrap();
        assert_eq!(built.len(), 1);
        assert_eq!(built[0].target, "tests/graded.rs");
        assert_eq!(built[0].executable, PathBuf::from("/t/graded-1"));
    }

    #[test]
    fn a_compile_error_is_the_first_rendered_error() {
        let lines = [
            serde_json::json!({"reason": "compiler-message", "message": {"level": "warning", "rendered": "warning: unused"}}).to_string(),
            serde_json::json!({"reason": "compiler-message", "message": {"level": "error", "rendered": "error[E0308]: mismatched types\n --> src/exercise.rs:3:5\n\n"}}).to_string(),
            serde_json::json!({"reason": "compiler-message", "message": {"level": "error", "rendered": "error: aborting"}}).to_string(),
            finished(false),
        ];
        let failure = read(&lines, "").unwrap_err();
        assert!(failure.compile_error);
        assert_eq!(
            failure.excerpt,
            "error[E0308]: mismatched types\n --> src/exercise.rs:3:5"
        );
    }

    #[test]
    fn a_cargo_failure_shows_cargos_own_error() {
        let stderr = "    Updating index\nerror: package ID specification `lab-9` did not match any packages\n";
        let failure = read(&[], stderr).unwrap_err();
        assert!(!failure.compile_error);
        assert_eq!(
            failure.excerpt,
            "error: package ID specification `lab-9` did not match any packages"
        );
    }

    #[test]
    fn features_for_each_kind_of_code() {
        let lab = Lab {
            number: 2,
            dir: PathBuf::from("/w/labs/lab-2"),
        };
        let base = "test -p lab-2 --tests --no-run --message-format=json";
        assert_eq!(args(&lab, Code::Exercise).join(" "), base);
        assert_eq!(
            args(&lab, Code::Solution).join(" "),
            format!("{base} --features solution")
        );
        assert_eq!(
            args(&lab, Code::Mistake(Path::new("m.rs"))).join(" "),
            format!("{base} --features mistake")
        );
    }
}
