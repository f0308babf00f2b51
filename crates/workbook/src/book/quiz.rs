//! Quizzes that do not give their answers away.
//!
//! mdbook-quiz, the usual tool, ships every answer in the page source: one
//! "view source" or Ctrl+F and the quiz is spoiled. Here the author still
//! writes the answer in the Markdown (the repository is the teacher's copy),
//! but the rendered page never holds it.
//!
//! # The format
//!
//! A fenced block with the info string `quiz` holds TOML:
//!
//! ````markdown
//! ```quiz
//! [[question]]
//! id = "who-serves-css"            # optional, letters, digits, - and _
//! prompt = "Who answers `GET /static/site.css`?"
//! answer = "The web server, from disk"
//! distractors = ["The WAS", "The database"]
//! explanation = "Static files never need the application."
//! ```
//! ````
//!
//! `prompt`, choices and `explanation` take a little inline Markdown:
//! `` `code` `` and `**bold**`; a blank line in a prompt or explanation
//! starts a new paragraph.
//!
//! # What the page holds instead (the scheme)
//!
//! For each question the preprocessor derives a public `salt` from the
//! chapter, the question id and the prompt, and emits:
//!
//! * every choice, in an order fixed by `SHA-256("order", salt, qid, choice)`,
//!   so the author's habit of writing the answer first does not leak either;
//! * `check = SHA-256("check", salt, qid, answer)`;
//! * `sealed` = the explanation's HTML XORed with a keystream
//!   `SHA-256(key ‖ counter)`, where `key = SHA-256("key", salt, qid, answer)`.
//!
//! (Each `SHA-256(a, b, …)` hashes the parts joined by `\n`; see [`material`].)
//!
//! In the browser, `quiz.js` hashes the picked choice with Web Crypto: a
//! match with `check` means correct, and the same choice text is the key
//! that unseals the explanation. Nothing else on the page depends on which
//! choice is right, which the unit tests prove by rendering the same quiz
//! with two different answers and comparing.
//!
//! This is spoiler protection, not secrecy: with three or four visible
//! choices anyone can try them all, and the "Show answer" button does just
//! that. What it stops is reading the answer by accident, or by a glance at
//! the source, before thinking. Web Crypto needs a secure context, which
//! `http://127.0.0.1` is; the script says so plainly when it is missing.

use std::path::Path;

use anyhow::{bail, Context};
use serde::Deserialize;

use sha2::{Digest, Sha256};

fn digest(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// One ```` ```quiz ```` block.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct QuizBlock {
    #[serde(rename = "question", default)]
    questions: Vec<Question>,
}

/// One multiple-choice question as the author writes it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Question {
    id: Option<String>,
    prompt: String,
    answer: String,
    distractors: Vec<String>,
    explanation: String,
}

/// Replaces every ```` ```quiz ```` block in `content` with its spoiler-free
/// HTML. `chapter` and `source` name the chapter in error messages.
pub fn render_chapter(chapter: &str, source: &Path, content: &str) -> anyhow::Result<String> {
    let slug = slug_of(source);
    let mut out = String::with_capacity(content.len());
    let mut fence: Option<Fence> = None;
    let mut quiz: Option<OpenQuiz> = None;
    let mut seen_ids: Vec<String> = Vec::new();
    let mut blocks = 0;

    for (index, line) in content.split_inclusive('\n').enumerate() {
        let line_number = index + 1;
        match fence {
            None => match Fence::open(line) {
                Some((opened, info)) => {
                    fence = Some(opened);
                    if opened.marker == b'`' && info == "quiz" {
                        blocks += 1;
                        quiz = Some(OpenQuiz {
                            line: line_number,
                            toml: String::new(),
                        });
                    } else {
                        out.push_str(line);
                    }
                }
                None => out.push_str(line),
            },
            Some(open) => {
                if open.closes(line) {
                    fence = None;
                    match quiz.take() {
                        Some(block) => {
                            let html = render_block(&block.toml, &slug, &mut seen_ids)
                                .with_context(|| {
                                    format!(
                                        "chapter \"{chapter}\" ({}): the quiz block at line {}",
                                        source.display(),
                                        block.line
                                    )
                                })?;
                            // Blank lines around it: the HTML is one block to
                            // Markdown, and the text after it parses normally.
                            out.push('\n');
                            out.push_str(&html);
                            out.push_str("\n\n");
                        }
                        None => out.push_str(line),
                    }
                } else if let Some(block) = quiz.as_mut() {
                    block.toml.push_str(line);
                } else {
                    out.push_str(line);
                }
            }
        }
    }

    if let Some(block) = quiz {
        bail!(
            "chapter \"{chapter}\" ({}): the quiz block opened at line {} is never closed with ```",
            source.display(),
            block.line
        );
    }
    tracing::debug!(chapter, blocks, "quiz blocks rendered");
    Ok(out)
}

struct OpenQuiz {
    line: usize,
    toml: String,
}

/// An open fenced code block: its marker character and length. Tracking
/// fences means a quiz shown *as an example* inside a longer fence stays text.
#[derive(Debug, Clone, Copy)]
struct Fence {
    marker: u8,
    len: usize,
}

impl Fence {
    /// A CommonMark fence opener (up to three spaces of indent, then three or
    /// more backticks or tildes), with its info string.
    fn open(line: &str) -> Option<(Fence, &str)> {
        let body = strip_indent(line)?;
        let marker = *body.as_bytes().first()?;
        if marker != b'`' && marker != b'~' {
            return None;
        }
        let len = body.bytes().take_while(|&b| b == marker).count();
        if len < 3 {
            return None;
        }
        let info = body[len..].trim();
        if marker == b'`' && info.contains('`') {
            return None; // that is inline code, not a fence
        }
        Some((Fence { marker, len }, info))
    }

    fn closes(&self, line: &str) -> bool {
        let Some(body) = strip_indent(line) else {
            return false;
        };
        let len = body.bytes().take_while(|&b| b == self.marker).count();
        len >= self.len && body[len..].trim().is_empty()
    }
}

fn strip_indent(line: &str) -> Option<&str> {
    let spaces = line.bytes().take_while(|&b| b == b' ').count();
    (spaces <= 3).then(|| &line[spaces..])
}

/// A name for DOM ids from the chapter file: `ch01-ws-vs-was.md` → `ch01-ws-vs-was`.
fn slug_of(source: &Path) -> String {
    let stem = source
        .file_stem()
        .map(|stem| stem.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect();
    if slug.is_empty() {
        "quiz".to_owned()
    } else {
        slug
    }
}

fn render_block(toml_text: &str, slug: &str, seen_ids: &mut Vec<String>) -> anyhow::Result<String> {
    let block: QuizBlock =
        toml::from_str(toml_text).context("the quiz is not valid TOML in the expected shape")?;
    if block.questions.is_empty() {
        bail!("the quiz has no questions: add at least one [[question]] table");
    }

    let total = block.questions.len();
    let mut html = String::from("<div class=\"quiz\">");
    for (index, question) in block.questions.iter().enumerate() {
        let number = seen_ids.len() + 1;
        let id = match &question.id {
            Some(id) => id.clone(),
            None => format!("q{number}"),
        };
        let what = format!("question {} (id \"{id}\")", index + 1);
        validate(question, &id).with_context(|| what.clone())?;
        let qid = format!("{slug}-{id}");
        if seen_ids.contains(&qid) {
            bail!("{what}: the id is used twice in this chapter; ids must be unique");
        }
        seen_ids.push(qid.clone());
        html.push_str(&render_question(question, &qid, index + 1, total));
    }
    html.push_str("</div>");
    Ok(html)
}

fn validate(question: &Question, id: &str) -> anyhow::Result<()> {
    if id.is_empty()
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("the id may hold only letters, digits, '-' and '_'");
    }
    for (field, value) in [
        ("prompt", &question.prompt),
        ("answer", &question.answer),
        ("explanation", &question.explanation),
    ] {
        if value.trim().is_empty() {
            bail!("`{field}` is empty");
        }
    }
    if question.distractors.is_empty() {
        bail!("`distractors` is empty: a question needs at least one wrong choice");
    }
    let mut choices: Vec<&str> = vec![question.answer.trim()];
    for distractor in &question.distractors {
        let distractor = distractor.trim();
        if distractor.is_empty() {
            bail!("a distractor is empty");
        }
        if distractor.contains('\n') || question.answer.contains('\n') {
            bail!("a choice must fit on one line");
        }
        if choices.contains(&distractor) {
            bail!("the choice \"{distractor}\" appears twice (or is also the answer)");
        }
        choices.push(distractor);
    }
    Ok(())
}

/// The bytes hashed for `label`: the parts joined by `\n`. quiz.js builds the
/// very same string; a choice comes last, so no separator inside it can blur
/// the boundaries.
fn material(label: &str, salt: &str, qid: &str, choice: &str) -> Vec<u8> {
    format!("{label}\n{salt}\n{qid}\n{choice}").into_bytes()
}

/// XORs `data` with the keystream `SHA-256(key ‖ counter_be32)`, 32 bytes per
/// counter step. Applying it twice gives `data` back.
fn keystream_xor(key: &[u8; 32], data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    for (counter, chunk) in data.chunks(32).enumerate() {
        let mut input = key.to_vec();
        input.extend_from_slice(&(counter as u32).to_be_bytes());
        let pad = digest(&input);
        out.extend(chunk.iter().zip(pad).map(|(byte, pad)| byte ^ pad));
    }
    out
}

fn render_question(question: &Question, qid: &str, number: usize, total: usize) -> String {
    let answer = question.answer.trim();
    // Public and deterministic: the same book builds to the same bytes.
    let salt = hex(&digest(&material("salt", "", qid, question.prompt.trim()))[..16]);
    let check = hex(&digest(&material("check", &salt, qid, answer)));
    let key = digest(&material("key", &salt, qid, answer));
    let sealed = hex(&keystream_xor(
        &key,
        paragraphs(&question.explanation).as_bytes(),
    ));

    let mut choices: Vec<&str> = std::iter::once(answer)
        .chain(question.distractors.iter().map(|d| d.trim()))
        .collect();
    choices.sort_by_key(|choice| digest(&material("order", &salt, qid, choice)));

    let mut html = format!(
        "<form class=\"quiz-question\" data-qid=\"{qid}\" data-salt=\"{salt}\" \
         data-check=\"{check}\" data-sealed=\"{sealed}\">\
         <p class=\"quiz-number\">Question {number} of {total}</p>\
         <div class=\"quiz-prompt\">{prompt}</div>\
         <fieldset class=\"quiz-choices\"><legend>Pick one</legend>",
        prompt = paragraphs(&question.prompt),
    );
    for choice in choices {
        html.push_str(&format!(
            "<label class=\"quiz-choice\"><input type=\"radio\" name=\"{qid}\" value=\"{value}\"> \
             <span>{label}</span></label>",
            value = escape(choice),
            label = inline(choice),
        ));
    }
    html.push_str(
        "</fieldset>\
         <div class=\"quiz-actions\"><button type=\"submit\">Check</button> \
         <button type=\"button\" class=\"quiz-reveal\">Show answer</button></div>\
         <div class=\"quiz-feedback\" role=\"status\" aria-live=\"polite\"></div>\
         </form>",
    );
    html
}

/// Paragraphs separated by blank lines, each through [`inline`]. The result
/// has no newline at all, so it can never end the surrounding HTML block.
fn paragraphs(text: &str) -> String {
    let mut html = String::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().chain(std::iter::once("")) {
        if line.trim().is_empty() {
            if !current.is_empty() {
                html.push_str(&format!("<p>{}</p>", inline(&current.join(" "))));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    html
}

/// The inline Markdown a quiz needs: `code` and **bold**, everything else
/// escaped.
fn inline(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len() % 2 == 0 {
        // An unmatched backtick: show it as it is.
        return bold(&escape(text));
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<code>{}</code>", escape(part))
            } else {
                bold(&escape(part))
            }
        })
        .collect()
}

fn bold(escaped: &str) -> String {
    let parts: Vec<&str> = escaped.split("**").collect();
    if parts.len() % 2 == 0 {
        return escaped.to_owned();
    }
    parts
        .iter()
        .enumerate()
        .map(|(i, part)| {
            if i % 2 == 1 {
                format!("<strong>{part}</strong>")
            } else {
                (*part).to_owned()
            }
        })
        .collect()
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Markdown must not see these as the start of a link or include.
            '{' => out.push_str("&#123;"),
            '}' => out.push_str("&#125;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: &str = "Web server vs web application server";

    fn quiz_with(answer: &str, distractors: [&str; 2]) -> String {
        format!(
            "# Title\n\nSome text.\n\n```quiz\n[[question]]\nid = \"static\"\n\
             prompt = \"Who answers `GET /static/site.css`?\"\n\
             answer = \"{answer}\"\n\
             distractors = [\"{}\", \"{}\"]\n\
             explanation = \"\"\"\nZebra-striped reasoning: **never** the app.\n\n\
             A second paragraph.\"\"\"\n```\n\nAfter the quiz.\n",
            distractors[0], distractors[1]
        )
    }

    fn render(markdown: &str) -> String {
        render_chapter(CHAPTER, Path::new("ch01-ws-vs-was.md"), markdown).unwrap()
    }

    /// Reads `name="value"` out of the rendered HTML.
    fn attr<'a>(html: &'a str, name: &str) -> &'a str {
        let start = html.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        let len = html[start..].find('"').unwrap();
        &html[start..start + len]
    }

    fn unhex(text: &str) -> Vec<u8> {
        (0..text.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
            .collect()
    }

    #[test]
    fn the_page_does_not_say_which_choice_is_right() {
        let page = render(&quiz_with("The web server", ["The WAS", "The database"]));
        assert!(!page.contains("```quiz"), "{page}");
        assert!(!page.contains("answer ="), "the TOML key leaked:\n{page}");
        assert!(!page.contains("Zebra"), "the explanation leaked:\n{page}");
        assert!(!page.contains("distractor"), "{page}");
        assert!(page.contains("After the quiz."));
        // Every choice appears the same number of times (value + label).
        for choice in ["The web server", "The WAS", "The database"] {
            assert_eq!(page.matches(choice).count(), 2, "{choice} in\n{page}");
        }

        // The same quiz with another choice marked right renders the same
        // markup, apart from the two attributes that carry the secret.
        let other = render(&quiz_with("The WAS", ["The web server", "The database"]));
        let blank = |html: &str| {
            let mut html = html.to_owned();
            for name in ["data-check", "data-sealed"] {
                let value = attr(&html, name).to_owned();
                html = html.replace(&value, "");
            }
            html
        };
        assert_eq!(blank(&page), blank(&other));
        assert_ne!(attr(&page, "data-check"), attr(&other, "data-check"));
    }

    #[test]
    fn the_answer_checks_and_unseals_the_explanation_as_quiz_js_does() {
        let page = render(&quiz_with("The web server", ["The WAS", "The database"]));
        let (qid, salt, check) = (
            attr(&page, "data-qid"),
            attr(&page, "data-salt"),
            attr(&page, "data-check"),
        );
        assert_eq!(qid, "ch01-ws-vs-was-static");
        let hashed = |choice: &str| hex(&digest(&material("check", salt, qid, choice)));
        assert_eq!(hashed("The web server"), check);
        assert_ne!(hashed("The WAS"), check);

        let key = digest(&material("key", salt, qid, "The web server"));
        let opened = keystream_xor(&key, &unhex(attr(&page, "data-sealed")));
        assert_eq!(
            String::from_utf8(opened).unwrap(),
            "<p>Zebra-striped reasoning: <strong>never</strong> the app.</p><p>A second paragraph.</p>"
        );
        let wrong_key = digest(&material("key", salt, qid, "The WAS"));
        let garbage = keystream_xor(&wrong_key, &unhex(attr(&page, "data-sealed")));
        assert!(!String::from_utf8_lossy(&garbage).contains("Zebra"));
    }

    #[test]
    fn the_html_is_one_markdown_block_with_inline_code() {
        let page = render(&quiz_with("The web server", ["The WAS", "The database"]));
        let html = page
            .lines()
            .find(|l| l.starts_with("<div class=\"quiz\">"))
            .unwrap();
        assert!(
            html.ends_with("</div>"),
            "the quiz must be a single line: {page}"
        );
        assert!(html.contains("<code>GET /static/site.css</code>"));
    }

    #[test]
    fn malformed_toml_names_the_chapter_and_line() {
        let markdown = "# T\n\n```quiz\n[[question]]\nprompt = \"unterminated\n```\n";
        let error = render_chapter(CHAPTER, Path::new("ch01-ws-vs-was.md"), markdown).unwrap_err();
        let message = format!("{error:#}");
        assert!(message.contains(CHAPTER), "{message}");
        assert!(message.contains("ch01-ws-vs-was.md"), "{message}");
        assert!(message.contains("line 3"), "{message}");
        assert!(message.contains("TOML"), "{message}");
    }

    #[test]
    fn bad_questions_are_refused_with_a_reason() {
        let cases = [
            ("[[question]]\nprompt = \"p\"\nanswer = \"a\"\ndistractors = []\nexplanation = \"e\"\n", "distractors"),
            ("[[question]]\nprompt = \"p\"\nanswer = \"a\"\ndistractors = [\"a\"]\nexplanation = \"e\"\n", "twice"),
            ("[[question]]\nprompt = \"p\"\nanswr = \"a\"\ndistractors = [\"b\"]\nexplanation = \"e\"\n", "answr"),
            ("", "no questions"),
            ("[[question]]\nid = \"a b\"\nprompt = \"p\"\nanswer = \"a\"\ndistractors = [\"b\"]\nexplanation = \"e\"\n", "id"),
        ];
        for (toml, expected) in cases {
            let markdown = format!("```quiz\n{toml}```\n");
            let error = render_chapter(CHAPTER, Path::new("c.md"), &markdown).unwrap_err();
            let message = format!("{error:#}");
            assert!(message.contains(expected), "{expected:?} not in {message}");
            assert!(message.contains(CHAPTER), "{message}");
        }
    }

    #[test]
    fn an_unclosed_quiz_is_an_error_and_other_fences_are_left_alone() {
        let error = render_chapter(CHAPTER, Path::new("c.md"), "text\n```quiz\n[[question]]\n")
            .unwrap_err();
        assert!(format!("{error:#}").contains("never closed"), "{error:#}");

        let example = "````markdown\n```quiz\nnot toml at all\n```\n````\n";
        assert_eq!(render(example), example);
        let tilde = "~~~quiz\nleft as code\n~~~\n";
        assert_eq!(render(tilde), tilde);
    }

    #[test]
    fn ids_are_unique_per_chapter_across_blocks() {
        let one = "```quiz\n[[question]]\nprompt = \"p\"\nanswer = \"a\"\ndistractors = [\"b\"]\nexplanation = \"e\"\n```\n";
        let page = render(&format!("{one}\n{one}"));
        assert!(page.contains("data-qid=\"ch01-ws-vs-was-q1\""), "{page}");
        assert!(page.contains("data-qid=\"ch01-ws-vs-was-q2\""), "{page}");

        let named = one.replace("[[question]]\n", "[[question]]\nid = \"same\"\n");
        let error =
            render_chapter(CHAPTER, Path::new("c.md"), &format!("{named}\n{named}")).unwrap_err();
        assert!(format!("{error:#}").contains("unique"), "{error:#}");
    }

    #[test]
    fn markup_in_choices_is_escaped() {
        let page = render(&quiz_with("<script>x</script>", ["a & b", "\\\"q\\\""]));
        assert!(!page.contains("<script>"), "{page}");
        assert!(page.contains("&lt;script&gt;x&lt;/script&gt;"));
        assert!(page.contains("a &amp; b"));
    }
}
