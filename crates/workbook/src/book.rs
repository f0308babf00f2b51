//! Building the book with mdBook used as a library: offline, no `mdbook`
//! binary, and with this project's own preprocessing.
//!
//! The steps, in order:
//!
//! 1. load `book.toml` and the chapters listed in `SUMMARY.md`;
//! 2. check every `{{#include file:anchor}}` points at a file and an anchor
//!    that exist: mdBook would otherwise log an error and leave the raw
//!    `{{#include …}}` text in the page, and the book promises that code it
//!    shows comes from compiled files;
//! 3. turn each chapter's `+++` timing front matter into its timing line,
//!    and write the "Running a session" plan from them ([`course`]);
//! 4. turn each ```` ```quiz ```` block into spoiler-free HTML ([`quiz`]);
//! 5. let mdBook run its own preprocessors (includes, index) and render HTML
//!    into `build-dir` (`book/build`).
//!
//! Step 3 edits `MDBook::book` in place instead of registering a
//! `Preprocessor`: that trait lives in the `mdbook-preprocessor` crate, which
//! `mdbook-driver` does not re-export, and the effect is the same. It runs
//! before mdBook's include step, so a quiz cannot be pulled in by
//! `{{#include}}` (write quizzes in the chapter itself).
//!
//! Speaker notes need no preprocessing: a chapter writes
//! `<details class="speaker-notes">` and `book/theme/workbook.css` styles it.

mod course;
mod quiz;

use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use mdbook_driver::book::{Book, BookItem};
use mdbook_driver::config::Config;
use mdbook_driver::MDBook;

/// Builds the book whose `book.toml` is in `book_root`, and returns the
/// directory the HTML went to (`book/build`).
pub fn build(book_root: &Path) -> anyhow::Result<PathBuf> {
    build_into(book_root, None)
}

/// [`build`], with the output directory optionally moved elsewhere (tests
/// build the real book into a temporary directory).
fn build_into(book_root: &Path, build_dir: Option<&Path>) -> anyhow::Result<PathBuf> {
    let mut config = load_config(book_root)?;
    if let Some(dir) = build_dir {
        config.build.build_dir = dir.to_path_buf();
    }

    let mut book = MDBook::load_with_config(book_root, config)
        .with_context(|| format!("loading the book at {}", book_root.display()))?;
    let src_dir = book.source_dir();
    check_includes(&book.book, &src_dir)?;
    indent_includes(&mut book.book, &src_dir)?;
    course::apply(&mut book.book)?;
    render_quizzes(&mut book.book)?;
    book.build()
        .with_context(|| format!("rendering the book at {}", book_root.display()))?;

    let out = book.build_dir_for("html");
    tracing::info!(out = %out.display(), "book built");
    Ok(out)
}

/// Where [`build`] puts the HTML for the book in `book_root`, without
/// building it: `check` writes the learner's grades next to the pages of a
/// book that `serve` built earlier. The book has one renderer (HTML), so
/// mdBook writes straight into `build-dir`, not a per-renderer directory.
pub fn site_dir(book_root: &Path) -> anyhow::Result<PathBuf> {
    let config = load_config(book_root)?;
    Ok(book_root.join(&config.build.build_dir))
}

/// `book.toml`, with `MDBOOK_*` variables applied (tests move the output
/// with `MDBOOK_BUILD__BUILD_DIR`).
fn load_config(book_root: &Path) -> anyhow::Result<Config> {
    let config_path = book_root.join("book.toml");
    if !config_path.is_file() {
        bail!(
            "no book.toml at {}: run this from the workbook's root directory",
            config_path.display()
        );
    }
    let mut config = Config::from_disk(&config_path)
        .with_context(|| format!("reading {}", config_path.display()))?;
    config
        .update_from_env()
        .context("applying MDBOOK_* environment variables")?;
    Ok(config)
}

/// Every chapter with a file on disk (draft chapters have none).
fn chapters(book: &Book) -> impl Iterator<Item = (&str, &Path, &str)> {
    book.iter().filter_map(|item| match item {
        BookItem::Chapter(chapter) => chapter
            .source_path
            .as_deref()
            .map(|path| (chapter.name.as_str(), path, chapter.content.as_str())),
        _ => None,
    })
}

fn render_quizzes(book: &mut Book) -> anyhow::Result<()> {
    let mut failure = None;
    book.for_each_chapter_mut(|chapter| {
        if failure.is_some() {
            return;
        }
        let Some(source) = chapter.source_path.clone() else {
            return;
        };
        match quiz::render_chapter(&chapter.name, &source, &chapter.content) {
            Ok(content) => chapter.content = content,
            Err(error) => failure = Some(error),
        }
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// Expands a whole-file `{{#include file}}` that stands alone on an
/// indented line (a code block inside a list item) with every included line
/// indented the same way. mdBook pastes the file as it is, so from its
/// second line on the text falls out of the list: a `# comment` in a config
/// file became a chapter heading, and the rest of the list turned into a
/// code block (the browser test found it in chapter 5). Anchored and
/// line-range includes are left to mdBook.
fn indent_includes(book: &mut Book, src_dir: &Path) -> anyhow::Result<()> {
    let mut failure = None;
    book.for_each_chapter_mut(|chapter| {
        let Some(source) = chapter.source_path.clone() else {
            return;
        };
        if failure.is_some() || !chapter.content.contains("{{#include") {
            return;
        }
        let chapter_dir = src_dir.join(source.parent().unwrap_or(Path::new("")));
        let mut out = String::with_capacity(chapter.content.len());
        for line in chapter.content.split_inclusive('\n') {
            let indent_len = line.len() - line.trim_start().len();
            let target = line
                .trim()
                .strip_prefix("{{#include ")
                .and_then(|rest| rest.strip_suffix("}}"))
                .map(str::trim)
                .filter(|target| indent_len > 0 && !target.contains(':'));
            let Some(target) = target else {
                out.push_str(line);
                continue;
            };
            let indent = &line[..indent_len];
            match std::fs::read_to_string(chapter_dir.join(target)) {
                Ok(text) => {
                    for included in text.lines().filter(|l| !l.contains("ANCHOR")) {
                        out.push_str(indent);
                        out.push_str(included);
                        out.push('\n');
                    }
                }
                Err(error) => {
                    failure = Some(anyhow::anyhow!(
                        "chapter \"{}\": cannot read {target} ({error})",
                        chapter.name
                    ));
                    return;
                }
            }
        }
        chapter.content = out;
    });
    match failure {
        Some(error) => Err(error),
        None => Ok(()),
    }
}

/// One `{{#include …}}` (or `{{#rustdoc_include …}}`) in a chapter.
#[derive(Debug, PartialEq, Eq)]
struct Include {
    file: String,
    /// A named anchor; `None` for a whole file or a line range.
    anchor: Option<String>,
}

/// Finds the includes in a chapter, skipping escaped ones (`\{{#include`).
fn includes_in(content: &str) -> Vec<Include> {
    let mut found = Vec::new();
    let mut rest = content;
    while let Some(start) = rest.find("{{#") {
        let escaped = rest[..start].ends_with('\\');
        let after = &rest[start + 3..];
        let Some(end) = after.find("}}") else {
            break;
        };
        let link = &after[..end];
        rest = &after[end + 2..];
        if escaped {
            continue;
        }
        let mut words = link.split_whitespace();
        let (Some("include" | "rustdoc_include"), Some(target)) = (words.next(), words.next())
        else {
            continue;
        };
        let (file, selector) = match target.split_once(':') {
            Some((file, selector)) => (file, Some(selector)),
            None => (target, None),
        };
        // `file:10`, `file:10:20`, `file::20` are line ranges, not anchors.
        let anchor = selector
            .filter(|s| !s.chars().all(|c| c.is_ascii_digit() || c == ':'))
            .map(str::to_owned);
        found.push(Include {
            file: file.to_owned(),
            anchor,
        });
    }
    found
}

/// Fails with every broken include listed, each naming its chapter.
fn check_includes(book: &Book, src_dir: &Path) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    for (name, source, content) in chapters(book) {
        let chapter_dir = src_dir.join(source.parent().unwrap_or(Path::new("")));
        for include in includes_in(content) {
            let path = chapter_dir.join(&include.file);
            let text = match std::fs::read_to_string(&path) {
                Ok(text) => text,
                Err(error) => {
                    problems.push(format!(
                        "chapter \"{name}\" ({}): cannot read {} ({error})",
                        source.display(),
                        include.file
                    ));
                    continue;
                }
            };
            if let Some(anchor) = &include.anchor {
                if !has_anchor(&text, anchor) {
                    problems.push(format!(
                        "chapter \"{name}\" ({}): {} has no `ANCHOR: {anchor}` … \
                         `ANCHOR_END: {anchor}` pair",
                        source.display(),
                        include.file
                    ));
                }
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        bail!(
            "the book includes code that is not there:\n  {}",
            problems.join("\n  ")
        )
    }
}

fn has_anchor(text: &str, anchor: &str) -> bool {
    let marker = |keyword: &str| {
        text.lines().any(|line| {
            line.split_once(keyword)
                .and_then(|(_, rest)| rest.split_whitespace().next())
                .is_some_and(|name| name == anchor)
        })
    };
    marker("ANCHOR:") && marker("ANCHOR_END:")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_book_toml_names_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let error = build(dir.path()).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains("no book.toml"), "{message}");
        assert!(
            message.contains(&dir.path().join("book.toml").display().to_string()),
            "{message}"
        );
    }

    #[test]
    fn includes_are_found_with_their_anchors() {
        let text = "a {{#include ../x.rs:resolve}} b {{#include y.toml}}\n\
                    {{#include z.rs:3:9}} \\{{#include escaped.rs:no}} {{#title T}}\n\
                    {{ #include not-a-link }}";
        assert_eq!(
            includes_in(text),
            vec![
                Include {
                    file: "../x.rs".into(),
                    anchor: Some("resolve".into())
                },
                Include {
                    file: "y.toml".into(),
                    anchor: None
                },
                Include {
                    file: "z.rs".into(),
                    anchor: None
                },
            ]
        );
    }

    #[test]
    fn anchors_must_open_and_close() {
        let text = "// ANCHOR: resolve\nfn resolve() {}\n// ANCHOR_END: resolve\n";
        assert!(has_anchor(text, "resolve"));
        assert!(!has_anchor(text, "resolv"));
        assert!(!has_anchor("// ANCHOR: half\n", "half"));
    }

    /// A tiny book in a temporary directory, built through `build`.
    fn tiny_book(chapter: &str) -> (tempfile::TempDir, anyhow::Result<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("src")).unwrap();
        std::fs::write(
            root.join("book.toml"),
            "[book]\ntitle = \"Tiny\"\n[build]\nbuild-dir = \"out\"\ncreate-missing = false\n",
        )
        .unwrap();
        std::fs::write(
            root.join("src/SUMMARY.md"),
            "# Summary\n\n- [Routing](routing.md)\n- [Coming later]()\n",
        )
        .unwrap();
        std::fs::write(root.join("src/routing.md"), chapter).unwrap();
        std::fs::write(
            root.join("src/code.rs"),
            "// ANCHOR: here\nfn shown() {}\n// ANCHOR_END: here\n",
        )
        .unwrap();
        let result = build(root);
        (dir, result)
    }

    #[test]
    fn a_quiz_renders_into_the_page_without_its_answer() {
        let chapter = "# Routing\n\n{{#include code.rs:here}}\n\n```quiz\n[[question]]\n\
                       prompt = \"Which port?\"\nanswer = \"Eighty-eighty\"\n\
                       distractors = [\"Ninety\", \"Seventy\"]\n\
                       explanation = \"Quokka: the proxy listens there.\"\n```\n\n\
                       <details class=\"speaker-notes\">\n<summary>Speaker notes</summary>\n\n\
                       - Ask the room.\n\n</details>\n";
        let (dir, result) = tiny_book(chapter);
        let out = result.unwrap();
        assert_eq!(out, dir.path().join("out"));
        let page = std::fs::read_to_string(out.join("routing.html")).unwrap();
        assert!(page.contains("class=\"quiz-question\""), "{page}");
        assert!(page.contains("fn shown() {}"), "the include ran");
        assert!(page.contains("<details class=\"speaker-notes\">"), "{page}");
        for file in walk(&out) {
            let bytes = std::fs::read(&file).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains("Quokka"),
                "explanation in {}",
                file.display()
            );
            assert!(
                !text.contains("answer ="),
                "quiz source in {}",
                file.display()
            );
        }
    }

    #[test]
    fn an_indented_include_stays_inside_its_list_item() {
        let chapter = "# Routing\n\n1. Bind to loopback:\n\n   ```properties\n   \
                       {{#include app.properties}}\n   ```\n\n   Then restart.\n\n## After\n";
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("src")).unwrap();
        std::fs::write(
            dir.path().join("src/app.properties"),
            "# not a heading\nserver.address=127.0.0.1\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("book.toml"),
            "[book]\ntitle = \"Tiny\"\n[build]\nbuild-dir = \"out\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("src/SUMMARY.md"),
            "# Summary\n\n- [Routing](routing.md)\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("src/routing.md"), chapter).unwrap();
        let out = build(dir.path()).unwrap();
        let page = std::fs::read_to_string(out.join("routing.html")).unwrap();
        assert!(!page.contains("id=\"not-a-heading\""), "{page}");
        assert!(
            page.contains("# not a heading\nserver.address=127.0.0.1"),
            "{page}"
        );
        assert!(page.contains("<h2 id=\"after\""), "{page}");
    }

    #[test]
    fn a_broken_quiz_fails_the_build_naming_the_chapter() {
        let (_dir, result) = tiny_book("# Routing\n\n```quiz\n[[question]]\nprompt = 3\n```\n");
        let message = format!("{:#}", result.unwrap_err());
        assert!(message.contains("chapter \"Routing\""), "{message}");
        assert!(message.contains("routing.md"), "{message}");
    }

    #[test]
    fn a_missing_anchor_fails_the_build_naming_the_chapter() {
        let (_dir, result) = tiny_book("# Routing\n\n{{#include code.rs:gone}}\n");
        let message = format!("{:#}", result.unwrap_err());
        assert!(message.contains("chapter \"Routing\""), "{message}");
        assert!(message.contains("ANCHOR: gone"), "{message}");
    }

    /// The text of an HTML page outside its tags, with the common entities
    /// decoded and all whitespace removed (tags split words in odd places).
    fn visible_text(html: &str) -> String {
        let mut text = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => {
                    in_tag = false;
                    text.push(' ');
                }
                _ if !in_tag => text.push(c),
                _ => {}
            }
        }
        let text = text
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        text.split_whitespace().collect()
    }

    fn walk(dir: &Path) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files.extend(walk(&path));
            } else {
                files.push(path);
            }
        }
        files
    }

    /// The real book, built into a temporary directory: every include
    /// resolves, every quiz parses, and no explanation reaches the output.
    #[test]
    fn the_real_book_builds_and_keeps_its_answers() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let out = tempfile::tempdir().unwrap();
        let built = build_into(&root, Some(out.path())).unwrap();
        assert!(built.join("index.html").is_file());

        let files = walk(&built);
        let pages: Vec<String> = files
            .iter()
            .filter(|f| {
                f.extension()
                    .is_some_and(|e| e == "html" || e == "js" || e == "json")
            })
            .map(|f| std::fs::read_to_string(f).unwrap())
            .collect();
        assert!(pages.iter().any(|p| p.contains("class=\"quiz-question\"")));
        for page in &pages {
            assert!(
                !page.contains("{{#include"),
                "an include was left unexpanded"
            );
        }
        // What a reader (or Ctrl+F) sees: the text outside tags. `*` is
        // dropped here as in the sources below, where it may be emphasis
        // or a literal (`*:8081`), so both sides compare alike.
        let texts: Vec<String> = pages
            .iter()
            .map(|page| visible_text(page).replace('*', ""))
            .collect();

        // Every explanation written in the sources stays out of the output.
        let src = root.join("book/src");
        let mut explanations = 0;
        for file in walk(&src)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "md"))
        {
            let markdown = std::fs::read_to_string(&file).unwrap();
            for block in markdown.split("```quiz\n").skip(1) {
                let toml_text = block.split("\n```").next().unwrap();
                let value: toml::Value = toml::from_str(toml_text).unwrap();
                for question in value["question"].as_array().unwrap() {
                    let explanation = question["explanation"].as_str().unwrap();
                    // Its first dozen words, without inline Markdown or spaces.
                    let words: String = explanation
                        .replace(['`', '*'], "")
                        .split_whitespace()
                        .take(12)
                        .collect::<String>();
                    explanations += 1;
                    for text in &texts {
                        assert!(!text.contains(&words), "{words:?} leaked");
                    }
                    // The control: the prompt, extracted the same way, is there.
                    let prompt: String = question["prompt"]
                        .as_str()
                        .unwrap()
                        .replace(['`', '*'], "")
                        .split_whitespace()
                        .take(12)
                        .collect::<String>();
                    assert!(
                        texts.iter().any(|t| t.contains(&prompt)),
                        "{prompt:?} missing"
                    );
                }
            }
        }
        assert!(explanations >= 3, "the book should have quizzes");

        // Timing has one source: every page's front matter. A page that
        // writes its own timing line by hand is not in the session plan.
        for file in walk(&src)
            .into_iter()
            .filter(|f| f.extension().is_some_and(|e| e == "md"))
        {
            let markdown = std::fs::read_to_string(&file).unwrap();
            assert!(
                !markdown.contains("<p class=\"timing\">"),
                "{}: write the durations as `+++` front matter \
                 (timing = [[25, \"to read and discuss\"], ...]), see book/course.rs",
                file.display()
            );
        }
        let plan = std::fs::read_to_string(built.join("session-plan.html")).unwrap();
        assert!(plan.contains("Half day"), "the plan was generated");
        assert!(plan.contains("ch01-ws-vs-was.html"), "chapter 1 is in it");
        // In reading order: chapter 4 before its lab 5 page.
        let ch4 = plan.find("ch04-gateway-interfaces.html").unwrap();
        let lab5 = plan.find("ch04-lab5.html").unwrap();
        assert!(ch4 < lab5, "chapter 4 comes before lab 5");
        assert!(!plan.contains("{{#session-plan}}"));
        let chapter1 = std::fs::read_to_string(built.join("ch01-ws-vs-was.html")).unwrap();
        assert!(chapter1.contains("<p class=\"timing\">About 90 minutes: 25 to read and discuss"));
        assert!(!chapter1.contains("+++"));
    }
}
