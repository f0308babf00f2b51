//! The book as a course: per-chapter durations, and the "Running a session"
//! page generated from them.
//!
//! One source of truth for time: a chapter page starts with TOML front
//! matter between `+++` lines,
//!
//! ```text
//! +++
//! timing = [[25, "to read and discuss"], [20, "to run things together"], [45, "for the lab"]]
//! +++
//! ```
//!
//! which the build removes and replaces with the page's timing line
//! (`<p class="timing">About 90 minutes: 25 to read and discuss, …</p>`,
//! under the title). The same numbers make the session plan: a page
//! containing `{{#session-plan}}` gets a half-day and a full-day schedule
//! with breaks, the demo to run live at each step, and a pre-flight
//! checklist. The demo is not written twice either: it is the commands
//! (`$ …` lines) of the chapter's own "Run it" section.

use anyhow::{bail, Context};
use mdbook_driver::book::{Book, BookItem};
use serde::Deserialize;

/// The marker a page writes where the plan goes.
pub const MARKER: &str = "{{#session-plan}}";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    /// `[minutes, "what"]` pairs, in class order.
    timing: Vec<(u32, String)>,
}

/// One chapter page with durations: a step of the session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub title: String,
    /// The page as served (`ch01-ws-vs-was.html`).
    pub page: String,
    pub parts: Vec<(u32, String)>,
    /// The commands of the chapter's "Run it" section.
    pub demo: Vec<String>,
    /// The page with that section (the chapter's, or a sub-page).
    pub demo_page: String,
}

impl Step {
    pub fn minutes(&self) -> u32 {
        self.parts.iter().map(|(minutes, _)| minutes).sum()
    }
}

/// "About 90 minutes: 25 to read and discuss, 20 to run things together, 45 for the lab."
pub fn timing_line(parts: &[(u32, String)]) -> String {
    let total: u32 = parts.iter().map(|(m, _)| m).sum();
    let total = match total {
        t if t % 60 == 0 => format!("{} hour{}", t / 60, if t == 60 { "" } else { "s" }),
        t => format!("{t} minutes"),
    };
    let parts: Vec<String> = parts
        .iter()
        .map(|(m, what)| format!("{m} {what}"))
        .collect();
    format!("About {total}: {}.", parts.join(", "))
}

/// Splits `+++` front matter off a page: (front matter, the rest).
fn split_front_matter(content: &str) -> Option<(&str, &str)> {
    let rest = content.strip_prefix("+++\n")?;
    let end = rest.find("\n+++\n")?;
    Some((&rest[..end], &rest[end + 5..]))
}

/// The `$ ` commands of a page's "Run it" section: a `## Run it` section
/// of a chapter page, or a page of its own that starts with `# Run it` (a
/// chapter split into slide-sized pages).
fn demo_commands(markdown: &str) -> Vec<String> {
    // The level of the "Run it" heading while inside its section.
    let mut section: Option<usize> = None;
    let mut commands = Vec::new();
    for line in markdown.lines() {
        let level = line.bytes().take_while(|&b| b == b'#').count();
        if level > 0 && line[level..].starts_with(' ') {
            if line[level..].trim() == "Run it" {
                section = Some(level);
            } else if section.is_some_and(|run_it| level <= run_it) {
                section = None;
            }
            continue;
        }
        if let Some(command) = line
            .trim_start()
            .strip_prefix("$ ")
            .filter(|_| section.is_some())
        {
            commands.push(command.trim().to_string());
        }
    }
    commands
}

/// Reads each chapter's front matter into its timing line, collects the
/// steps, then writes the plan wherever a page asks for it.
pub fn apply(book: &mut Book) -> anyhow::Result<Vec<Step>> {
    let mut steps = Vec::new();
    let mut failure = None;
    book.for_each_chapter_mut(|chapter| {
        if failure.is_some() {
            return;
        }
        let Some((front, rest)) = split_front_matter(&chapter.content) else {
            return;
        };
        let parsed: anyhow::Result<FrontMatter> = toml::from_str(front).with_context(|| {
            format!(
                "chapter \"{}\": its +++ front matter is not valid",
                chapter.name
            )
        });
        let front = match parsed {
            Ok(front) if !front.timing.is_empty() => front,
            Ok(_) => {
                failure = Some(anyhow::anyhow!(
                    "chapter \"{}\": `timing` lists no parts",
                    chapter.name
                ));
                return;
            }
            Err(error) => {
                failure = Some(error);
                return;
            }
        };
        let line = format!("<p class=\"timing\">{}</p>\n", timing_line(&front.timing));
        // Under the title (the first line), or first if there is none.
        let content = match rest.split_once('\n') {
            Some((title, body)) if title.starts_with("# ") => {
                format!("{title}\n\n{line}{body}")
            }
            _ => format!("{line}\n{rest}"),
        };
        let html = |path: Option<&std::path::PathBuf>| {
            path.map(|p| p.with_extension("html").display().to_string())
                .unwrap_or_default()
        };
        let page = html(chapter.path.as_ref());
        // The demo: the "Run it" commands of the chapter's own page, or of
        // the sub-page that has them (a chapter split into pages).
        let sub_pages = chapter.sub_items.iter().filter_map(|item| match item {
            BookItem::Chapter(sub) => Some((html(sub.path.as_ref()), sub.content.as_str())),
            _ => None,
        });
        let (demo_page, demo) = std::iter::once((page.clone(), rest))
            .chain(sub_pages)
            .map(|(page, content)| (page, demo_commands(content)))
            .find(|(_, demo)| !demo.is_empty())
            .unwrap_or_default();
        steps.push(Step {
            title: chapter.name.clone(),
            page,
            parts: front.timing,
            demo,
            demo_page,
        });
        chapter.content = content;
    });
    if let Some(error) = failure {
        return Err(error);
    }
    // In reading order: `for_each_chapter_mut` visits a chapter's
    // sub-chapters before the chapter itself, `iter` does not.
    let order: Vec<String> = book
        .iter()
        .filter_map(|item| match item {
            BookItem::Chapter(chapter) => chapter.name.clone().into(),
            _ => None,
        })
        .collect();
    steps.sort_by_key(|step| order.iter().position(|name| *name == step.title));
    let plan = render_plan(&steps);
    for item in book.iter() {
        if let BookItem::Chapter(chapter) = item {
            if chapter.content.contains(MARKER) && steps.is_empty() {
                bail!(
                    "\"{}\" asks for the session plan, but no chapter has +++ timing front matter",
                    chapter.name
                );
            }
        }
    }
    book.for_each_chapter_mut(|chapter| {
        if chapter.content.contains(MARKER) {
            chapter.content = chapter.content.replace(MARKER, &plan);
        }
    });
    Ok(steps)
}

/// A day's shape: teaching blocks separated by a long pause (lunch).
struct Day {
    name: &'static str,
    /// (start in minutes after midnight, length in minutes) per block.
    blocks: &'static [(u32, u32)],
    pause: &'static str,
}

const HALF_DAY: Day = Day {
    name: "Half day (3½ hours)",
    blocks: &[(9 * 60, 210)],
    pause: "",
};
const FULL_DAY: Day = Day {
    name: "Full day (9:00 to 17:00)",
    blocks: &[(9 * 60, 210), (13 * 60 + 30, 210)],
    pause: "Lunch",
};
/// A break after this much teaching, at the next chapter boundary.
const BREAK_AFTER: u32 = 75;
const BREAK: u32 = 15;

fn clock(minutes: u32) -> String {
    format!("{}:{:02}", minutes / 60, minutes % 60)
}

/// The rows of one day's schedule, and the steps left for later.
fn schedule(day: &Day, steps: &[Step]) -> (Vec<String>, usize) {
    let mut rows = Vec::new();
    let mut next = 0;
    for (index, &(start, length)) in day.blocks.iter().enumerate() {
        if index > 0 {
            let (prev_start, prev_length) = day.blocks[index - 1];
            rows.push(format!(
                "| {} | **{}** | |",
                clock(prev_start + prev_length),
                day.pause
            ));
        }
        let end = start + length;
        let mut now = start;
        let mut since_break = 0;
        while let Some(step) = steps.get(next) {
            let needs_break = since_break >= BREAK_AFTER;
            let begin = if needs_break { now + BREAK } else { now };
            if begin + step.minutes() > end {
                break;
            }
            if needs_break {
                rows.push(format!("| {} | **Break** ({BREAK} min) | |", clock(now)));
                since_break = 0;
            }
            let demo = match step.demo.first() {
                Some(first) if step.demo.len() > 1 => {
                    format!(
                        "`{first}`, then the rest of [Run it]({}#run-it)",
                        step.demo_page
                    )
                }
                Some(first) => format!("`{first}`"),
                None => "the lab's tests: `workbook check`".to_string(),
            };
            let parts: Vec<String> = step
                .parts
                .iter()
                .map(|(m, what)| format!("{m} {what}"))
                .collect();
            rows.push(format!(
                "| {} | [{}]({}) ({} min: {}) | {demo} |",
                clock(begin),
                step.title,
                step.page,
                step.minutes(),
                parts.join(", ")
            ));
            now = begin + step.minutes();
            since_break += step.minutes();
            next += 1;
        }
        rows.push(format!("| {} | End of the block | |", clock(now)));
    }
    (rows, next)
}

/// The Markdown that replaces [`MARKER`].
pub fn render_plan(steps: &[Step]) -> String {
    let mut out = String::new();
    for day in [&HALF_DAY, &FULL_DAY] {
        let (rows, done) = schedule(day, steps);
        out.push_str(&format!(
            "## {}\n\n| Time | Step | Demo to run live |\n|---|---|---|\n",
            day.name
        ));
        for row in rows {
            out.push_str(&row);
            out.push('\n');
        }
        let later: Vec<String> = steps[done..]
            .iter()
            .map(|s| format!("[{}]({})", s.title, s.page))
            .collect();
        if !later.is_empty() {
            out.push_str(&format!(
                "\nFor a second session, or to read alone afterwards: {}.\n",
                later.join(", ")
            ));
        }
        out.push('\n');
    }
    out.push_str(PREFLIGHT);
    out
}

const PREFLIGHT: &str = "\
## Pre-flight checklist

Do this the day before, on the machine you will present from, and ask
every learner to do the same:

- [ ] The tools are installed: Rust (`cargo --version`), `curl`, and for
      the \"In production\" comparisons `nginx` and `apache2`
      (on Debian or Ubuntu: `sudo apt-get install curl nginx apache2`).
- [ ] `cargo run -p workbook -- prepare` has finished: it builds every tool,
      every lab and the book, so nobody waits for a first build in class.
- [ ] The ports the chapters use are free: 3000 (the book), 8080 and 9000
      (the chapters' servers). `ss -ltn 'sport = :3000 or sport = :8080 or
      sport = :9000'` prints only its header line when they are.
- [ ] The book opens: `cargo run -p workbook -- serve --instructor` for you
      (speaker notes shown, \"Presenter view\" for notes and a timer in a
      second window), plain `cargo run -p workbook` for learners.
";

#[cfg(test)]
mod tests {
    use super::*;

    fn step(title: &str, page: &str, parts: &[u32], demo: &[&str]) -> Step {
        Step {
            title: title.into(),
            page: page.into(),
            parts: parts.iter().map(|m| (*m, "x".to_string())).collect(),
            demo: demo.iter().map(|d| d.to_string()).collect(),
            demo_page: page.to_string(),
        }
    }

    #[test]
    fn the_timing_line_adds_up_the_parts() {
        let parts = vec![
            (25, "to read and discuss".to_string()),
            (20, "to run things together".to_string()),
            (45, "for the lab".to_string()),
        ];
        assert_eq!(
            timing_line(&parts),
            "About 90 minutes: 25 to read and discuss, 20 to run things together, 45 for the lab."
        );
        assert_eq!(
            timing_line(&[(120, "in all".into())]),
            "About 2 hours: 120 in all."
        );
    }

    #[test]
    fn front_matter_becomes_the_timing_line_and_the_demo_comes_from_run_it() {
        let page = "+++\ntiming = [[10, \"to read\"], [5, \"for the lab\"]]\n+++\n# Title\n\nText.\n\n\
                    ## Run it\n\n```console\n$ cargo run -p demo-was\nlistening\n```\n\n## Quiz\n\n$ not a demo\n";
        let (front, rest) = split_front_matter(page).unwrap();
        assert!(front.starts_with("timing"));
        assert!(rest.starts_with("# Title"));
        assert_eq!(demo_commands(rest), vec!["cargo run -p demo-was"]);
    }

    #[test]
    fn a_run_it_page_of_its_own_is_the_demo_to_its_end() {
        let page = "# Run it\n\n## Terminal 1\n\n```console\n$ cargo run -p demo-was\n```\n\n\
                    ## Terminal 2\n\n```console\n$ curl -s 127.0.0.1:9000/hello\n```\n";
        assert_eq!(
            demo_commands(page),
            vec!["cargo run -p demo-was", "curl -s 127.0.0.1:9000/hello"]
        );
    }

    #[test]
    fn the_half_day_fits_two_chapters_with_a_break_and_leaves_the_rest() {
        let steps = vec![
            step(
                "One",
                "one.html",
                &[25, 20, 45],
                &["cargo run -p a", "curl b"],
            ),
            step("Two", "two.html", &[100], &["cargo run -p c"]),
            step("Three", "three.html", &[90], &[]),
        ];
        let (rows, done) = schedule(&HALF_DAY, &steps);
        assert_eq!(
            rows,
            vec![
                "| 9:00 | [One](one.html) (90 min: 25 x, 20 x, 45 x) | `cargo run -p a`, then the rest of [Run it](one.html#run-it) |",
                "| 10:30 | **Break** (15 min) | |",
                "| 10:45 | [Two](two.html) (100 min: 100 x) | `cargo run -p c` |",
                "| 12:25 | End of the block | |",
            ]
        );
        assert_eq!(done, 2);
        let (rows, done) = schedule(&FULL_DAY, &steps);
        assert_eq!(done, 3);
        assert!(
            rows.contains(&"| 12:30 | **Lunch** | |".to_string()),
            "{rows:#?}"
        );
        assert!(rows.contains(
            &"| 13:30 | [Three](three.html) (90 min: 90 x) | the lab's tests: `workbook check` |"
                .to_string()
        ));
        let plan = render_plan(&steps);
        assert!(plan
            .contains("For a second session, or to read alone afterwards: [Three](three.html)."));
        assert!(plan.contains("ports the chapters use are free: 3000"));
        assert!(plan.contains("`cargo run -p workbook -- prepare`"));
    }
}
