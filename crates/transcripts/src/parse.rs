//! Reading a chapter's "Run it" section into the steps a reader takes.
//!
//! A transcript is what the book already shows: ```` ```console ```` blocks
//! whose `$ ` lines are commands and whose other lines are what the reader
//! should see. Nothing is written twice for the test. Where the prose says
//! something a machine cannot read ("press Ctrl+C in terminal 2", "start b
//! again"), an HTML comment says it for the checker; mdBook passes comments
//! through, and browsers never show them:
//!
//! ```text
//! <!-- transcript: stop --port 9002 -->       Ctrl+C in the terminal whose command has this text
//! <!-- transcript: start cargo run -p demo-was -- --port 9002 --profile b -->
//!                                             a command the prose asks for, run in the background
//! <!-- transcript: eventually -->             the next block is retried until it matches
//!                                             (the reader waits for health checks, say)
//! <!-- transcript: unchecked why -->          the next block runs, its output is not compared
//! <!-- transcript: skip why -->               the next block is not run at all
//! <!-- transcript: needs nginx gunicorn -->   tools the section needs; skipped without them
//! ```
//!
//! Every `unchecked` and `skip` carries its reason, and the checker prints
//! them, so what is not checked is never a secret.

use std::fmt;

/// What the checker does, in the book's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// A command from a console block, and the lines the book shows after it.
    Run {
        /// 1-based line of the `$ ` line in the chapter file.
        line: usize,
        command: String,
        expected: Vec<String>,
        check: Check,
    },
    /// A background command the prose asks for.
    Start { line: usize, command: String },
    /// Ctrl+C in the terminal whose command contains this text.
    Stop { line: usize, pattern: String },
}

/// How a command's output is held against the book.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// Must match, the first time.
    Exact,
    /// Must match within a deadline; run again until it does.
    Eventually,
    /// Runs; the output is shown but not compared (the reason says why).
    Unchecked(String),
    /// Not run (the reason says why).
    Skipped(String),
}

/// A chapter's "Run it" section, read.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Section {
    pub steps: Vec<Step>,
    /// Outside tools the section needs (besides the workspace's binaries).
    pub needs: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// The level of a Markdown heading line (`## x` is 2), 0 for other lines.
fn heading_level(line: &str) -> usize {
    let level = line.bytes().take_while(|&b| b == b'#').count();
    if level > 0 && line[level..].starts_with(' ') {
        level
    } else {
        0
    }
}

/// Reads the "Run it" section of a page: a `## Run it` section of a
/// chapter, or a page of its own that starts with `# Run it`. It ends at
/// the next heading of its level or higher. `None` when there is none.
pub fn run_it(markdown: &str) -> Result<Option<Section>, ParseError> {
    let lines: Vec<&str> = markdown.lines().collect();
    let Some(start) = lines
        .iter()
        .position(|l| heading_level(l) > 0 && l[heading_level(l)..].trim() == "Run it")
    else {
        return Ok(None);
    };
    let level = heading_level(lines[start]);
    let mut section = Section::default();
    // A directive that applies to the next console block.
    let mut pending: Option<(usize, Check)> = None;
    let mut i = start + 1;
    while i < lines.len() {
        let line = lines[i];
        // The section ends at the next heading of the same level or higher.
        if (1..=level).contains(&heading_level(line)) {
            break;
        }
        if let Some(directive) = directive(line) {
            let number = i + 1;
            let (word, rest) = directive.split_once(' ').unwrap_or((directive, ""));
            let rest = rest.trim().to_string();
            match word {
                "stop" | "start" if rest.is_empty() => {
                    return Err(error(number, format!("`{word}` needs a command")));
                }
                "stop" => section.steps.push(Step::Stop {
                    line: number,
                    pattern: rest,
                }),
                "start" => section.steps.push(Step::Start {
                    line: number,
                    command: rest,
                }),
                "eventually" => pending = Some((number, Check::Eventually)),
                "unchecked" | "skip" if rest.is_empty() => {
                    return Err(error(number, format!("`{word}` needs a reason")));
                }
                "unchecked" => pending = Some((number, Check::Unchecked(rest))),
                "skip" => pending = Some((number, Check::Skipped(rest))),
                "needs" => section
                    .needs
                    .extend(rest.split_whitespace().map(str::to_string)),
                other => {
                    return Err(error(
                        number,
                        format!("unknown transcript directive `{other}`"),
                    ))
                }
            }
            i += 1;
            continue;
        }
        if line.trim_end() == "```console" {
            let check = pending.take().map_or(Check::Exact, |(_, check)| check);
            i = console_block(&lines, i + 1, &check, &mut section.steps)?;
            continue;
        }
        // A fence of another kind: skip it whole, so a `$` in a toml or
        // text block is never read as a command.
        if line.starts_with("```") {
            i += 1;
            while i < lines.len() && !lines[i].starts_with("```") {
                i += 1;
            }
        }
        i += 1;
    }
    if let Some((line, _)) = pending {
        return Err(error(line, "a directive with no console block after it"));
    }
    Ok(Some(section))
}

/// `<!-- transcript: words -->` on a line of its own.
fn directive(line: &str) -> Option<&str> {
    line.trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim()
        .strip_prefix("transcript:")
        .map(str::trim)
}

/// Reads a console block from `first` (the line after the fence) and returns
/// the index after its closing fence.
fn console_block(
    lines: &[&str],
    first: usize,
    check: &Check,
    steps: &mut Vec<Step>,
) -> Result<usize, ParseError> {
    let mut i = first;
    while i < lines.len() {
        let line = lines[i];
        if line.starts_with("```") {
            return Ok(i + 1);
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let number = i + 1;
            // A command may go on over lines ending in `\`, as in a shell
            // (which reads the backslash and newline as a space).
            let mut command = command.to_string();
            while command.ends_with('\\') && i + 1 < lines.len() {
                i += 1;
                command.push('\n');
                command.push_str(lines[i]);
            }
            steps.push(Step::Run {
                line: number,
                command,
                expected: Vec::new(),
                check: check.clone(),
            });
        } else if let Some(Step::Run { expected, .. }) = steps.last_mut() {
            expected.push(line.to_string());
        } else {
            return Err(error(i + 1, "output before any `$ ` command"));
        }
        i += 1;
    }
    Err(error(first, "a console block that never ends"))
}

fn error(line: usize, message: impl Into<String>) -> ParseError {
    ParseError {
        line,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHAPTER: &str = "# Chapter\n\n## Idea\n\n```console\n$ not this one\n```\n\n\
        ## Run it\n\nTerminal 1:\n\n```console\n$ cargo run -p demo-was -- --port 9001\n\
        listening\n```\n\n```toml\n$ not = \"a command\"\n```\n\n\
        <!-- transcript: eventually -->\n```console\n$ curl -s http://127.0.0.1:9001/a\nA\n\
        $ curl -s http://127.0.0.1:9001/b\nB\n```\n\n<!-- transcript: stop --port 9001 -->\n\
        <!-- transcript: needs nginx -->\n\n## In production\n\n```console\n$ nor this\n```\n";

    #[test]
    fn reads_commands_their_output_and_directives_in_order() {
        let section = run_it(CHAPTER).unwrap().unwrap();
        assert_eq!(section.needs, vec!["nginx"]);
        assert_eq!(
            section.steps,
            vec![
                Step::Run {
                    line: 14,
                    command: "cargo run -p demo-was -- --port 9001".into(),
                    expected: vec!["listening".into()],
                    check: Check::Exact,
                },
                Step::Run {
                    line: 24,
                    command: "curl -s http://127.0.0.1:9001/a".into(),
                    expected: vec!["A".into()],
                    check: Check::Eventually,
                },
                Step::Run {
                    line: 26,
                    command: "curl -s http://127.0.0.1:9001/b".into(),
                    expected: vec!["B".into()],
                    check: Check::Eventually,
                },
                Step::Stop {
                    line: 30,
                    pattern: "--port 9001".into(),
                },
            ]
        );
    }

    #[test]
    fn a_run_it_page_of_its_own_is_read_to_its_end() {
        let page = "# Run it\n\n## Terminal 1\n\n```console\n$ curl -s x\nX\n```\n";
        let section = run_it(page).unwrap().unwrap();
        assert_eq!(section.steps.len(), 1);
    }

    #[test]
    fn a_chapter_without_the_section_has_nothing_to_check() {
        assert_eq!(run_it("# Chapter\n\n## Idea\n").unwrap(), None);
    }

    #[test]
    fn a_continued_command_is_one_command() {
        let text = "## Run it\n```console\n$ curl \\\n  -s x\nout\n```\n";
        let section = run_it(text).unwrap().unwrap();
        let Step::Run { command, .. } = &section.steps[0] else {
            panic!("{section:?}");
        };
        assert_eq!(command, "curl \\\n  -s x");
    }

    #[test]
    fn an_unknown_directive_or_a_reasonless_skip_is_an_error_with_its_line() {
        let err = run_it("## Run it\n<!-- transcript: later -->\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: unknown transcript directive `later`"
        );
        let err = run_it("## Run it\n\n<!-- transcript: skip -->\n").unwrap_err();
        assert_eq!(err.to_string(), "line 3: `skip` needs a reason");
    }

    #[test]
    fn a_directive_left_hanging_is_an_error() {
        let err = run_it("## Run it\n<!-- transcript: eventually -->\n## Next\n").unwrap_err();
        assert_eq!(
            err.to_string(),
            "line 2: a directive with no console block after it"
        );
    }
}
