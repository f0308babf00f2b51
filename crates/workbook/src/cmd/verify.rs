//! `workbook verify`: prove the lab contract (CI and maintainers).
//!
//! A graded test is only worth something if it can tell a right answer from
//! a wrong one. For every lab this proves four things:
//!
//! * with `--features solution` (the real crate's code) every graded test
//!   **passes**, or the test (or the solution) is wrong;
//! * with the shipped stubs (`todo!()` bodies) every graded test **fails**.
//!   A test that passes on a stub asserts nothing, and would hand a learner
//!   a green tick for work they did not do;
//! * every plausible mistake the lab ships (`mistakes/*.rs`, listed in
//!   `lab.toml`) **fails the test it names**. A mistake that passes means a
//!   test is missing;
//! * every section a failing test tells the learner to reread, and every
//!   exercise's section in the manifest, **is a heading** of that chapter.
//!
//! The stub run only proves something if `src/exercise.rs` *is* the shipped
//! stub, so that is checked first: on a learner's checkout with edits,
//! verify refuses to run that lab instead of reporting nonsense. Mistakes
//! are compiled in through a cargo feature, never copied over the
//! learner's file, so an interrupted verify leaves nothing to clean up.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use crate::grading::{self, Code, Outcome, Run};
use crate::invocation;
use crate::labs::{self, Lab};
use crate::manifest::Manifest;
use crate::sections;

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub lab: String,
    pub tests: Option<usize>,
    /// `passed/total` with the solution; `None` when not run.
    pub solution_pass: Option<(usize, usize)>,
    /// `failed/total` with the stubs; `None` when not run.
    pub stub_fail: Option<(usize, usize)>,
    /// `caught/shipped` mistakes.
    pub mistakes_caught: Option<(usize, usize)>,
    /// `found/named` sections.
    pub sections_found: Option<(usize, usize)>,
    pub violations: Vec<String>,
}

#[derive(Debug, clap::Args)]
pub struct VerifyArgs {
    /// Lab number; all labs when omitted (one lab is quicker while you
    /// write its tests and mistakes)
    pub lab: Option<u32>,
}

pub fn run(root: &Path, args: &VerifyArgs) -> anyhow::Result<ExitCode> {
    let labs = labs::select(root, args.lab)?;
    let mut rows = Vec::new();
    for lab in &labs {
        rows.push(verify_lab(root, lab)?);
    }
    print!("{}", render(&rows));
    let violations: usize = rows.iter().map(|r| r.violations.len()).sum();
    if violations == 0 {
        let all = match labs.len() {
            1 => "The lab keeps".to_string(),
            n => format!("All {n} labs keep"),
        };
        println!(
            "\n{all} the contract: every graded test passes with the solution and \
             fails with the shipped stubs, every mistake is caught, and every \
             section named exists."
        );
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

fn verify_lab(root: &Path, lab: &Lab) -> anyhow::Result<Row> {
    let mut row = Row {
        lab: lab.package(),
        ..Row::default()
    };
    let manifest = match Manifest::load(lab) {
        Ok(manifest) => manifest,
        Err(error) => {
            row.violations.push(format!("{error:#}"));
            return Ok(row);
        }
    };
    if let Some(problem) = stub_problem(lab) {
        row.violations.push(problem);
        return Ok(row);
    }

    eprintln!("Verifying {lab}: the solution (--features solution)");
    let solution = grading::grade(root, lab, Code::Solution)?;
    eprintln!("Verifying {lab}: the shipped stubs");
    let stub = grading::grade(root, lab, Code::Exercise)?;
    judge(&mut row, &solution, &stub);

    let mut caught = 0;
    for (i, mistake) in manifest.mistakes.iter().enumerate() {
        let shown = lab.show(&mistake.file.to_string_lossy());
        eprintln!(
            "Verifying {lab}: mistake {} of {}, {shown}",
            i + 1,
            manifest.mistakes.len()
        );
        let file = lab.dir.join(&mistake.file);
        if !file.is_file() {
            row.violations
                .push(format!("mistake {shown} is listed in lab.toml but missing"));
            continue;
        }
        let run = grading::grade(root, lab, Code::Mistake(&file))?;
        match mistake_verdict(&run, &mistake.caught_by) {
            Ok(()) => caught += 1,
            Err(why) => row.violations.push(format!("mistake {shown} {why}")),
        }
    }
    row.mistakes_caught = Some((caught, manifest.mistakes.len()));

    let (found, named, missing) = check_sections(root, &manifest, &stub)?;
    row.sections_found = Some((found, named));
    row.violations.extend(missing);
    row.violations.extend(check_pages(root, &manifest)?);
    Ok(row)
}

/// `src/exercise.rs` must be byte-identical to `stub/exercise.rs`.
fn stub_problem(lab: &Lab) -> Option<String> {
    let stub_shown = lab.show("stub/exercise.rs");
    let Ok(stub) = std::fs::read(lab.stub()) else {
        return Some(format!(
            "{stub_shown} is missing: every lab ships its pristine stub there"
        ));
    };
    if std::fs::read(lab.exercise()).ok() != Some(stub) {
        return Some(format!(
            "{} differs from {stub_shown}: the exercise was edited, and verify proves the \
             shipped stubs. Run `{}` or use a clean clone.",
            lab.show("src/exercise.rs"),
            invocation::suggest(&format!("reset {}", lab.number))
        ));
    }
    None
}

/// Compares the solution and stub runs and records every breach.
fn judge(row: &mut Row, solution: &Run, stub: &Run) {
    let mut v = Vec::new();
    for (run, with) in [
        (solution, "--features solution"),
        (stub, "the shipped stubs"),
    ] {
        match run {
            Run::BuildFailed(failure) => {
                let what = if failure.compile_error {
                    "does not compile"
                } else {
                    "cannot be built"
                };
                let first = failure.excerpt.lines().next().unwrap_or_default();
                v.push(format!("{what} with {with}: {first}"));
            }
            Run::Tested(programs) => {
                for program in programs.iter().filter(|p| p.crash.is_some()) {
                    let crash = program.crash.as_deref().unwrap_or_default();
                    v.push(format!("{} crashed with {with}: {crash}", program.target));
                }
            }
        }
    }
    if matches!(solution, Run::BuildFailed(_)) || matches!(stub, Run::BuildFailed(_)) {
        row.violations.extend(v);
        return;
    }

    let sol = outcomes(solution);
    let stb = outcomes(stub);
    row.tests = Some(sol.len().max(stb.len()));
    if sol.is_empty() && stb.is_empty() {
        v.push("has no graded tests: put them in tests/*.rs".to_string());
    }
    for (name, (outcome, message)) in &sol {
        match outcome {
            Outcome::Passed => {}
            Outcome::Failed => v.push(format!(
                "{name} failed with --features solution: {}",
                message.as_deref().unwrap_or("(no message)")
            )),
            Outcome::Ignored => v.push(format!("{name} is #[ignore]d: graded tests must run")),
        }
        if !stb.contains_key(name) {
            v.push(format!("{name} runs only with --features solution"));
        }
    }
    for (name, (outcome, _)) in &stb {
        match outcome {
            Outcome::Failed => {}
            Outcome::Passed => v.push(format!(
                "{name} passed on the shipped stub: it asserts nothing"
            )),
            // Reported once, from the solution run, when it is ignored there too.
            Outcome::Ignored if sol.contains_key(name) => {}
            Outcome::Ignored => v.push(format!("{name} is #[ignore]d: graded tests must run")),
        }
        if !sol.contains_key(name) {
            v.push(format!("{name} runs only without --features solution"));
        }
    }
    let count = |m: &BTreeMap<String, (Outcome, Option<String>)>, o: Outcome| {
        m.values().filter(|(x, _)| *x == o).count()
    };
    row.solution_pass = Some((count(&sol, Outcome::Passed), sol.len()));
    row.stub_fail = Some((count(&stb, Outcome::Failed), stb.len()));
    row.violations.extend(v);
}

/// `name (tests/file.rs)` → (outcome, first line of its failure message).
fn outcomes(run: &Run) -> BTreeMap<String, (Outcome, Option<String>)> {
    run.tests()
        .map(|(program, test)| {
            let first_line = test
                .failure
                .as_ref()
                .and_then(|f| f.message.lines().find(|l| !l.trim().is_empty()))
                .map(|l| l.trim().to_string());
            (
                format!("{} ({})", test.name, program.target),
                (test.outcome, first_line),
            )
        })
        .collect()
}

/// Whether a mistake's run was caught by the test it names.
fn mistake_verdict(run: &Run, caught_by: &str) -> Result<(), String> {
    if let Run::BuildFailed(failure) = run {
        let first = failure.excerpt.lines().next().unwrap_or_default();
        return Err(format!("does not build, so it proves nothing: {first}"));
    }
    match run.test(caught_by).map(|t| t.outcome) {
        Some(Outcome::Failed) => Ok(()),
        Some(_) => Err(format!(
            "passes {caught_by}, which should catch it: a graded test is missing"
        )),
        None => Err(format!(
            "names {caught_by}, but no graded test has that name"
        )),
    }
}

/// Every section named (by the manifest, and by the reread line of each
/// test failing on the stub) must be a heading of its chapter. Returns
/// (found, named, violations).
fn check_sections(
    root: &Path,
    manifest: &Manifest,
    stub: &Run,
) -> anyhow::Result<(usize, usize, Vec<String>)> {
    let mut named: BTreeSet<(u32, String)> = BTreeSet::new();
    let mut violations = Vec::new();
    for exercise in &manifest.exercises {
        named.insert((manifest.chapter, exercise.section.clone()));
    }
    for (program, test) in stub.tests() {
        let Some(failure) = &test.failure else {
            continue;
        };
        match testkit::graded::parse_reread(&failure.message) {
            Some(section) => {
                named.insert(section);
            }
            None => violations.push(format!(
                "{} ({}) fails on the stub without a `reread:` line: graded failures \
                 use testkit::graded::Failure",
                test.name, program.target
            )),
        }
    }
    let mut found = 0;
    let mut headings: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for (chapter, section) in &named {
        if !headings.contains_key(chapter) {
            headings.insert(*chapter, sections::headings(root, *chapter)?);
        }
        if headings[chapter].iter().any(|h| h == section) {
            found += 1;
        } else {
            violations.push(format!(
                "chapter {chapter} has no section \"{section}\" (book/src/ch{chapter:02}-*.md), \
                 but learners are told to reread it"
            ));
        }
    }
    Ok((found, named.len(), violations))
}

/// What the book's pages promise about this lab's exercises:
///
/// - the lab's page links back to each exercise's section;
/// - the answer is never on a page before the lab: code included by an
///   anchor named after an exercise (`{{#include …:classify}}`, the
///   reference's own anchor) appears only on solution pages
///   (`*-solution.md`). An engine function that merely shares a name with
///   some lab's exercise must take another anchor, so that no reader (or
///   reviewer) has to tell the two apart.
fn check_pages(root: &Path, manifest: &Manifest) -> anyhow::Result<Vec<String>> {
    let src = root.join("book").join("src");
    let mut violations = Vec::new();
    let lab_page = std::fs::read_to_string(src.join(&manifest.page)).unwrap_or_default();
    for exercise in &manifest.exercises {
        let anchor = sections::anchor(&exercise.section);
        if !lab_page.contains(&format!("#{anchor})")) {
            violations.push(format!(
                "{} does not link to the section of exercise `{}` (\"{}\", #{anchor})",
                manifest.page, exercise.name, exercise.section
            ));
        }
    }
    let mut pages: Vec<_> = std::fs::read_dir(&src)
        .with_context(|| format!("cannot list {}", src.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "md"))
        .filter(|path| !path.to_string_lossy().ends_with("-solution.md"))
        .collect();
    pages.sort();
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap_or_default();
        let name = page.file_name().unwrap_or_default().to_string_lossy();
        for exercise in &manifest.exercises {
            let include = format!(":{}}}}}", exercise.name);
            if text
                .lines()
                .any(|line| line.contains("{{#include") && line.contains(&include))
            {
                violations.push(format!(
                    "{name} includes code by the anchor `{}`, the name of an exercise: \
                     that belongs on the solution page (or give the code another anchor)",
                    exercise.name
                ));
            }
        }
    }
    Ok(violations)
}

/// The table, then each violation on its own line under it.
pub fn render(rows: &[Row]) -> String {
    let ratio = |r: Option<(usize, usize)>| r.map_or("-".to_string(), |(a, b)| format!("{a}/{b}"));
    let header = [
        "lab",
        "graded tests",
        "solution pass",
        "stub fail",
        "mistakes caught",
        "sections found",
        "violations",
    ]
    .map(String::from);
    let mut table = vec![header.to_vec()];
    for row in rows {
        table.push(vec![
            row.lab.clone(),
            row.tests.map_or("-".to_string(), |n| n.to_string()),
            ratio(row.solution_pass),
            ratio(row.stub_fail),
            ratio(row.mistakes_caught),
            ratio(row.sections_found),
            row.violations.len().to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| table.iter().map(|r| r[c].len()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for cells in &table {
        let line: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    let details: Vec<String> = rows
        .iter()
        .flat_map(|r| r.violations.iter().map(move |v| format!("{}: {v}", r.lab)))
        .collect();
    if !details.is_empty() {
        out.push_str("\nViolations:\n");
        for line in details {
            out.push_str(&format!("  {line}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::libtest::Failure;
    use crate::grading::{Program, TestCase};

    fn run_of(results: &[(&str, Outcome)]) -> Run {
        Run::Tested(vec![Program {
            target: "tests/paths.rs".into(),
            planned: results.len(),
            tests: results
                .iter()
                .map(|(name, outcome)| TestCase {
                    name: name.to_string(),
                    outcome: *outcome,
                    failure: (*outcome == Outcome::Failed).then(|| Failure {
                        message: "\n  request:  GET /\n  reread:   chapter 1, \"Run it\"\n".into(),
                        location: None,
                    }),
                })
                .collect(),
            crash: None,
        }])
    }

    fn judged(solution: &Run, stub: &Run) -> Row {
        let mut row = Row {
            lab: "lab-1".into(),
            ..Row::default()
        };
        judge(&mut row, solution, stub);
        row
    }

    use Outcome::{Failed, Passed};

    #[test]
    fn a_lab_that_keeps_the_contract() {
        let row = judged(
            &run_of(&[("a", Passed), ("b", Passed)]),
            &run_of(&[("a", Failed), ("b", Failed)]),
        );
        assert_eq!(row.violations, Vec::<String>::new());
        assert_eq!(row.solution_pass, Some((2, 2)));
        assert_eq!(row.stub_fail, Some((2, 2)));
    }

    #[test]
    fn names_tests_that_assert_nothing_or_fail_on_the_solution() {
        let row = judged(
            &run_of(&[("a", Passed), ("b", Failed)]),
            &run_of(&[("a", Passed), ("b", Failed)]),
        );
        assert_eq!(
            row.violations,
            [
                "b (tests/paths.rs) failed with --features solution: request:  GET /",
                "a (tests/paths.rs) passed on the shipped stub: it asserts nothing",
            ]
        );
    }

    #[test]
    fn a_mistake_is_caught_only_by_its_own_test_failing() {
        let run = run_of(&[("a", Passed), ("b", Failed)]);
        assert_eq!(mistake_verdict(&run, "b"), Ok(()));
        assert_eq!(
            mistake_verdict(&run, "a").unwrap_err(),
            "passes a, which should catch it: a graded test is missing"
        );
        assert_eq!(
            mistake_verdict(&run, "c").unwrap_err(),
            "names c, but no graded test has that name"
        );
    }

    #[test]
    fn sections_named_by_failures_must_be_headings() {
        let root = tempfile::tempdir().unwrap();
        let src = root.path().join("book/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("ch01-x.md"), "# One\n## Static or dynamic?\n").unwrap();
        std::fs::write(
            src.join("ch01-lab.md"),
            "# Lab 1\nSee [Static or dynamic?](ch01-x.md#static-or-dynamic).\n",
        )
        .unwrap();
        let manifest = Manifest::parse(
            "title = \"t\"\nchapter = 1\npage = \"ch01-lab.md\"\n\
             [[exercise]]\nname = \"classify\"\nsection = \"Static or dynamic?\"\n",
        )
        .unwrap();
        let (found, named, violations) =
            check_sections(root.path(), &manifest, &run_of(&[("a", Failed)])).unwrap();
        assert_eq!((found, named), (1, 2));
        assert_eq!(
            violations,
            ["chapter 1 has no section \"Run it\" (book/src/ch01-*.md), but learners are told to reread it"]
        );
    }

    /// A book whose lab page (`ch01-lab.md`) reads `lab_page`, and the
    /// manifest of a lab with one exercise, `classify`, in section "Static
    /// or dynamic?".
    fn book_with_lab_page(lab_page: &str) -> (tempfile::TempDir, std::path::PathBuf, Manifest) {
        let root = tempfile::tempdir().unwrap();
        let src = root.path().join("book/src");
        std::fs::create_dir_all(&src).unwrap();
        std::fs::write(src.join("ch01-lab.md"), lab_page).unwrap();
        let manifest = Manifest::parse(
            "title = \"t\"\nchapter = 1\npage = \"ch01-lab.md\"\n\
             [[exercise]]\nname = \"classify\"\nsection = \"Static or dynamic?\"\n",
        )
        .unwrap();
        (root, src, manifest)
    }

    #[test]
    fn the_lab_page_must_link_to_each_exercises_section() {
        let (root, src, manifest) = book_with_lab_page("# Lab 1\nNo link back.\n");
        std::fs::write(src.join("ch01-x.md"), "# One\n## Static or dynamic?\n").unwrap();
        let violations = check_pages(root.path(), &manifest).unwrap();
        assert_eq!(
            violations,
            [
                "ch01-lab.md does not link to the section of exercise `classify` \
              (\"Static or dynamic?\", #static-or-dynamic)"
            ]
        );
    }

    #[test]
    fn an_exercises_anchor_is_included_only_on_a_solution_page() {
        let (root, src, manifest) =
            book_with_lab_page("# Lab 1\n[Static or dynamic?](ch01-x.md#static-or-dynamic)\n");
        let include = "{{#include ../../crates/x/src/lib.rs:classify}}\n";
        std::fs::write(src.join("ch01-lab-solution.md"), include).unwrap();
        assert_eq!(
            check_pages(root.path(), &manifest).unwrap(),
            Vec::<String>::new()
        );
        std::fs::write(src.join("ch08-x.md"), include).unwrap();
        assert_eq!(
            check_pages(root.path(), &manifest).unwrap(),
            [
                "ch08-x.md includes code by the anchor `classify`, the name of an exercise: \
              that belongs on the solution page (or give the code another anchor)"
            ]
        );
    }

    #[test]
    fn table_and_violation_lines() {
        let rows = [Row {
            lab: "lab-1".into(),
            tests: Some(2),
            solution_pass: Some((2, 2)),
            stub_fail: Some((1, 2)),
            mistakes_caught: Some((3, 3)),
            sections_found: Some((2, 2)),
            violations: vec!["a passed on the shipped stub: it asserts nothing".into()],
        }];
        assert_eq!(
            render(&rows),
            "lab    graded tests  solution pass  stub fail  mistakes caught  sections found  violations\n\
             lab-1  2             2/2            1/2        3/3              2/2             1\n\
             \nViolations:\n  lab-1: a passed on the shipped stub: it asserts nothing\n"
        );
    }
}
