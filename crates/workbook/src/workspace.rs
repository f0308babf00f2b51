//! Finding the workspace root: the directory holding the top-level
//! `Cargo.toml` (the one with `[workspace]`), `book.toml` and `labs/`.
//!
//! Every command works on paths under the root, so it is decided once, in
//! this order:
//!
//! 1. `--root DIR`, then the `WORKBOOK_ROOT` environment variable: explicit
//!    wins. Tests use this to point the CLI at a throwaway copy.
//! 2. Walking up from the current directory to the first `Cargo.toml` with a
//!    `[workspace]` table, the same rule cargo uses. This is what makes a
//!    second clone (or a copy an instructor hands out) grade *its own* labs.
//! 3. The workspace this binary was compiled in (`CARGO_MANIFEST_DIR` is
//!    `crates/workbook`, two levels down), so `workbook` still works when
//!    run from somewhere else entirely.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The environment variable that overrides root discovery (after `--root`).
pub const ROOT_ENV: &str = "WORKBOOK_ROOT";

pub fn find_root(explicit: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let from_env = std::env::var_os(ROOT_ENV)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from);
    if let Some(dir) = explicit {
        return checked("--root", &dir);
    }
    if let Some(dir) = from_env {
        return checked(ROOT_ENV, &dir);
    }
    if let Ok(cwd) = std::env::current_dir() {
        if let Some(root) = walk_up(&cwd) {
            return Ok(root);
        }
    }
    let compiled_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    if is_workspace_root(&compiled_in) {
        return Ok(compiled_in.canonicalize().unwrap_or(compiled_in));
    }
    bail!(
        "cannot find the Deploy Workbook workspace: run workbook inside it, \
         or pass --root DIR (or set {ROOT_ENV})"
    )
}

/// An explicitly named root must exist and be a checkout of this course; a
/// typo should not silently fall back to some other workspace, and a wrong
/// directory should say so instead of "no labs".
fn checked(source: &str, dir: &Path) -> anyhow::Result<PathBuf> {
    if !dir.is_dir() {
        bail!("{source} {}: not a directory", dir.display());
    }
    if !is_workspace_root(dir) || !dir.join("labs").is_dir() {
        bail!(
            "{source} {}: not a Deploy Workbook checkout (it needs a Cargo.toml \
             with [workspace] and a labs/ directory)",
            dir.display()
        );
    }
    dir.canonicalize()
        .with_context(|| format!("{source} {}", dir.display()))
}

/// The nearest ancestor of `start` (itself included) that is a workspace root.
pub fn walk_up(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_workspace_root(dir))
        .map(Path::to_path_buf)
}

/// A directory is a workspace root when its `Cargo.toml` has `[workspace]`.
/// A member crate's manifest does not, which is why walking up from
/// `labs/lab-1/src` lands on the top level and not on `labs/lab-1`.
fn is_workspace_root(dir: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(dir.join("Cargo.toml")) else {
        return false;
    };
    match toml::from_str::<toml::Table>(&text) {
        Ok(table) => table.contains_key("workspace"),
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_up_past_member_manifests_to_the_workspace() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::write(
            root.join("Cargo.toml"),
            "[workspace]\nmembers = [\"labs/*\"]\n",
        )
        .unwrap();
        let src = root.join("labs/lab-1/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(
            root.join("labs/lab-1/Cargo.toml"),
            "[package]\nname = \"lab-1\"\n",
        )
        .unwrap();

        assert_eq!(walk_up(&src).as_deref(), Some(root));
    }

    #[test]
    fn no_workspace_above_means_none() {
        let tmp = tempfile::tempdir().unwrap();
        // A package manifest alone is not a workspace root.
        std::fs::write(tmp.path().join("Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
        // The temp dir's ancestors (/tmp, /) have no workspace manifest.
        assert_eq!(walk_up(tmp.path()), None);
    }

    #[test]
    fn compiled_in_fallback_is_this_workspace() {
        let compiled_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        assert!(is_workspace_root(&compiled_in));
    }
}
