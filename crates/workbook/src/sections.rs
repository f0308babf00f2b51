//! The section headings of a chapter, as a learner sees them in the book.
//!
//! A failing graded test says "reread: chapter 1, "Static or dynamic?"", and
//! a lab's manifest names each exercise's section. Both are promises that
//! such a heading exists; `verify` checks them against the book's source so
//! that renaming a heading can never leave a learner searching for it.
//!
//! A chapter is every page `book/src/chNN-*.md` (a chapter may be split into
//! several pages, its lab solution among them). A heading is a Markdown line
//! starting with `#`, outside fenced code blocks, with any `{#anchor}`
//! attribute removed.

use std::path::Path;

use anyhow::Context;

/// Every heading of chapter `number`, in page-name order then page order.
pub fn headings(root: &Path, number: u32) -> anyhow::Result<Vec<String>> {
    let src = root.join("book").join("src");
    let prefix = format!("ch{number:02}-");
    let mut pages: Vec<_> = std::fs::read_dir(&src)
        .with_context(|| format!("cannot list {}", src.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            name.starts_with(&prefix) && name.ends_with(".md")
        })
        .collect();
    pages.sort();
    let mut found = Vec::new();
    for page in pages {
        let text = std::fs::read_to_string(&page)
            .with_context(|| format!("cannot read {}", page.display()))?;
        found.extend(headings_of(&text));
    }
    Ok(found)
}

/// The headings of one Markdown page.
pub fn headings_of(markdown: &str) -> Vec<String> {
    let mut in_fence = false;
    let mut found = Vec::new();
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            continue;
        }
        if in_fence || !line.starts_with('#') {
            continue;
        }
        let text = line.trim_start_matches('#');
        // `#hashtag` is not a heading; `# Title` is.
        if !text.starts_with(' ') {
            continue;
        }
        let text = match text.rfind(" {#") {
            Some(at) if text.trim_end().ends_with('}') => &text[..at],
            _ => text,
        };
        found.push(text.trim().to_string());
    }
    found
}

/// The id mdBook gives a heading, for links (`Static or dynamic?` ->
/// `static-or-dynamic`): letters, digits, `_` and `-` in lower case, spaces
/// as `-`, the rest dropped; code marks and emphasis count as their text.
pub fn anchor(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|ch| match ch {
            ch if ch.is_alphanumeric() || ch == '_' || ch == '-' => {
                Some(ch.to_lowercase().next().unwrap_or(ch))
            }
            ch if ch.is_whitespace() => Some('-'),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_headings_outside_code_and_drops_anchors() {
        let page =
            "# Chapter\n\nText\n\n## Static or dynamic?\n\n```console\n# not a heading\n```\n\
                    ### Run it {#run}\n#hashtag\n";
        assert_eq!(
            headings_of(page),
            ["Chapter", "Static or dynamic?", "Run it"]
        );
    }

    #[test]
    fn anchors_are_mdbooks_ids() {
        assert_eq!(anchor("Static or dynamic?"), "static-or-dynamic");
        assert_eq!(
            anchor("Which file does a URL mean?"),
            "which-file-does-a-url-mean"
        );
        assert_eq!(anchor("`Host` and the site"), "host-and-the-site");
    }

    #[test]
    fn a_chapter_is_all_its_pages() {
        let root = tempfile::tempdir().unwrap();
        let src = root.path().join("book/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("ch01-a.md"), "# One\n## Two\n").unwrap();
        std::fs::write(src.join("ch01-solution.md"), "# Solution\n").unwrap();
        std::fs::write(src.join("ch02-b.md"), "# Other\n").unwrap();
        assert_eq!(
            headings(root.path(), 1).unwrap(),
            ["One", "Two", "Solution"]
        );
    }
}
