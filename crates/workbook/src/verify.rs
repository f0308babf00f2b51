//! `workbook verify`: prove the lab contract (CI and maintainers).
//!
//! A graded test is only worth something if it can tell a right answer from
//! a wrong one. For every lab this runs the graded tests twice:
//!
//! * with `--features solution` (the real crate's code): every test must
//!   **pass**, or the test (or the solution) is wrong;
//! * with the shipped stubs (`todo!()` bodies): every test must **fail**. A
//!   test that passes on a stub asserts nothing, and would hand a learner a
//!   green tick for work they did not do.
//!
//! The stub run only proves something if `src/exercise.rs` *is* the shipped
//! stub, so that is checked first: on a learner's checkout with edits,
//! verify refuses to run that lab instead of reporting nonsense.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

use crate::cargo_test::{self, Code};
use crate::check::shown_name;
use crate::invocation;
use crate::labs::{self, Lab};
use crate::libtest::{Outcome, Run};

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Row {
    pub lab: String,
    pub tests: Option<usize>,
    /// `passed/total` with the solution; `None` when not run.
    pub solution_pass: Option<(usize, usize)>,
    /// `failed/total` with the stubs; `None` when not run.
    pub stub_fail: Option<(usize, usize)>,
    pub violations: Vec<String>,
}

pub fn run(root: &Path) -> anyhow::Result<ExitCode> {
    let labs = labs::select(root, None)?;
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
            "\n{all} the contract: every graded test passes with the solution \
             and fails with the shipped stubs."
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

    if let Some(problem) = stub_problem(lab) {
        row.violations.push(problem);
        return Ok(row);
    }

    eprintln!(
        "Verifying {lab} with the solution: cargo {}",
        cargo_test::args(lab, Code::Solution).join(" ")
    );
    let solution = cargo_test::run(root, lab, Code::Solution)?;
    eprintln!(
        "Verifying {lab} with the shipped stubs: cargo {}",
        cargo_test::args(lab, Code::Exercise).join(" ")
    );
    let stub = cargo_test::run(root, lab, Code::Exercise)?;
    judge(&mut row, &solution, &stub);
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

/// Compares the two runs and records every breach of the contract.
fn judge(row: &mut Row, solution: &Run, stub: &Run) {
    let mut v = Vec::new();
    for (run, with) in [
        (solution, "--features solution"),
        (stub, "the shipped stubs"),
    ] {
        if let Some(failure) = &run.build_failure {
            let what = if failure.compile_error {
                "does not compile"
            } else {
                "cannot be tested"
            };
            let first = failure.excerpt.lines().next().unwrap_or_default();
            v.push(format!("{what} with {with}: {first}"));
        }
        for binary in run.graded() {
            if let Some(crash) = &binary.crash {
                v.push(format!("{} crashed with {with}: {crash}", binary.target));
            }
        }
    }
    if solution.build_failure.is_some() || stub.build_failure.is_some() {
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

/// Graded test → (outcome, first line of its failure message).
fn outcomes(run: &Run) -> BTreeMap<String, (Outcome, Option<String>)> {
    let mut map = BTreeMap::new();
    for binary in run.graded() {
        for test in &binary.tests {
            let first_line = test
                .failure
                .as_ref()
                .and_then(|f| f.message.lines().next())
                .map(str::to_string);
            map.insert(
                shown_name(&test.name, &binary.target),
                (test.outcome, first_line),
            );
        }
    }
    map
}

/// The table, then each violation on its own line under it.
pub fn render(rows: &[Row]) -> String {
    let ratio = |r: Option<(usize, usize)>| r.map_or("-".to_string(), |(a, b)| format!("{a}/{b}"));
    let header = ["lab", "tests", "solution pass", "stub fail", "violations"].map(String::from);
    let mut table = vec![header];
    for row in rows {
        table.push([
            row.lab.clone(),
            row.tests.map_or("-".to_string(), |n| n.to_string()),
            ratio(row.solution_pass),
            ratio(row.stub_fail),
            row.violations.len().to_string(),
        ]);
    }
    let widths: Vec<usize> = (0..5)
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
    use crate::libtest;

    const ERR: &str = "     Running tests/paths.rs (target/debug/deps/paths-1)\n";

    fn run_of(results: &[(&str, &str)]) -> Run {
        let mut out = format!("\nrunning {} tests\n", results.len());
        for (name, status) in results {
            out.push_str(&format!("test {name} ... {status}\n"));
        }
        out.push_str("\ntest result: done\n");
        libtest::parse(&out, ERR, true)
    }

    fn judged(solution: &Run, stub: &Run) -> Row {
        let mut row = Row {
            lab: "lab-1".into(),
            ..Row::default()
        };
        judge(&mut row, solution, stub);
        row
    }

    #[test]
    fn a_lab_that_keeps_the_contract() {
        let row = judged(
            &run_of(&[("a", "ok"), ("b", "ok")]),
            &run_of(&[("a", "FAILED"), ("b", "FAILED")]),
        );
        assert_eq!(row.violations, Vec::<String>::new());
        assert_eq!(row.solution_pass, Some((2, 2)));
        assert_eq!(row.stub_fail, Some((2, 2)));
    }

    #[test]
    fn names_tests_that_assert_nothing_or_fail_on_the_solution() {
        let row = judged(
            &run_of(&[("a", "ok"), ("b", "FAILED")]),
            &run_of(&[("a", "ok"), ("b", "FAILED")]),
        );
        assert_eq!(
            row.violations,
            [
                "b (tests/paths.rs) failed with --features solution: (no message)",
                "a (tests/paths.rs) passed on the shipped stub: it asserts nothing",
            ]
        );
    }

    #[test]
    fn no_graded_tests_is_a_violation() {
        let row = judged(&run_of(&[]), &run_of(&[]));
        assert_eq!(
            row.violations,
            ["has no graded tests: put them in tests/*.rs"]
        );
    }

    #[test]
    fn table_and_violation_lines() {
        let rows = [Row {
            lab: "lab-1".into(),
            tests: Some(2),
            solution_pass: Some((2, 2)),
            stub_fail: Some((1, 2)),
            violations: vec!["a passed on the shipped stub: it asserts nothing".into()],
        }];
        assert_eq!(
            render(&rows),
            "lab    tests  solution pass  stub fail  violations\n\
             lab-1  2      2/2            1/2        1\n\
             \nViolations:\n  lab-1: a passed on the shipped stub: it asserts nothing\n"
        );
    }
}
