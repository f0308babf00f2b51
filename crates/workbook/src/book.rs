//! Building the book with mdBook used as a library (being written).
use std::path::{Path, PathBuf};

/// Builds the book whose `book.toml` is in `book_root`, and returns the
/// directory the HTML went to (`book/build`).
pub fn build(book_root: &Path) -> anyhow::Result<PathBuf> {
    let _ = book_root;
    anyhow::bail!("the book builder is not written yet")
}
