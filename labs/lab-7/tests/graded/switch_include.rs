//! `switch_include`: the rules on files in a temporary folder, then real
//! nginx switched by the switcher.

use std::io::Read;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use testkit::load::Load;

use crate::support::{self, call, fail, Bench, Yours};

const SECTION: &str = "Switching nginx's include file";
const OLD: &str = "set $service_url http://127.0.0.1:8081;\n";
const NEW: &str = "set $service_url http://127.0.0.1:8082;\n";

fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn the_new_file_is_in_place_when_the_test_runs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service-url.inc");
    std::fs::write(&path, OLD).unwrap();
    let mut seen = Vec::new();
    let mut test = || {
        seen.push(std::fs::read_to_string(&path).unwrap_or_default());
        Ok(())
    };
    let result = call(|| lab_7::switch_include(&path, NEW, &mut test));
    let now = std::fs::read_to_string(&path).unwrap_or_default();
    let request = "switch_include(service-url.inc holding port 8081, new contents for 8082, a test that passes)";
    match result {
        Ok(Ok(())) if seen == [NEW] && now == NEW => {}
        Ok(other) => fail(
            request,
            "Ok(()), the test run once and seeing the new file, the file new",
            format!("{other:?}; the test saw {seen:?}; the file holds {now:?}"),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(())", panic, SECTION),
    }
}

#[test]
fn a_reader_of_the_old_file_never_sees_it_change() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service-url.inc");
    std::fs::write(&path, OLD).unwrap();
    // nginx (or anyone) reading the file while it is switched.
    let mut reader = std::fs::File::open(&path).unwrap();
    let before = std::fs::metadata(&path).unwrap().ino();
    let result = call(|| lab_7::switch_include(&path, NEW, &mut || Ok(())));
    let mut read = String::new();
    reader.read_to_string(&mut read).unwrap();
    let after = std::fs::metadata(&path).map(|m| m.ino()).unwrap_or(before);
    let request = "switch_include while a reader holds the old file open";
    match result {
        Ok(Ok(())) if read == OLD && after != before => {}
        Ok(other) => fail(
            request,
            "the reader still reads the old file, whole: a new file renamed over the old one",
            format!(
                "{other:?}; the reader read {read:?}; {}",
                if after == before {
                    "the same file was rewritten in place"
                } else {
                    "a new file"
                }
            ),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(())", panic, SECTION),
    }
}

#[test]
fn a_failed_test_puts_the_old_file_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service-url.inc");
    std::fs::write(&path, OLD).unwrap();
    let mut test = || Err("nginx: [emerg] invalid number of arguments".to_string());
    let result = call(|| lab_7::switch_include(&path, "set $service_url\n", &mut test));
    let now = std::fs::read_to_string(&path).unwrap_or_default();
    let request = "switch_include(.., a broken line, a test that fails with `[emerg] invalid number of arguments`)";
    match result {
        Ok(Err(why)) if why.contains("invalid number") && now == OLD => {}
        Ok(other) => fail(
            request,
            "Err(the test's reason), and the file holds the old contents again",
            format!("{other:?}; the file holds {now:?}"),
            SECTION,
        ),
        Err(panic) => fail(request, "Err(..)", panic, SECTION),
    }
}

#[test]
fn no_temporary_file_is_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("service-url.inc");
    std::fs::write(&path, OLD).unwrap();
    let first = call(|| lab_7::switch_include(&path, NEW, &mut || Ok(())));
    let second = call(|| lab_7::switch_include(&path, OLD, &mut || Err("refused".into())));
    let fresh = dir.path().join("fresh.inc");
    let third = call(|| lab_7::switch_include(&fresh, NEW, &mut || Err("refused".into())));
    let names = listing(dir.path());
    let request =
        "a switch that passes, one that fails, and one that fails on a file that did not exist";
    let expected = "only service-url.inc in the folder (no temporary file; no fresh.inc, which did not exist before)";
    match (first, second, third) {
        (Ok(Ok(())), Ok(Err(_)), Ok(Err(_))) if names == ["service-url.inc"] => {}
        (Err(panic), _, _) | (_, Err(panic), _) | (_, _, Err(panic)) => {
            fail(request, expected, panic, SECTION)
        }
        other => fail(
            request,
            expected,
            format!("{other:?}; the folder holds {names:?}"),
            SECTION,
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deploys_behind_real_nginx_switch_it_and_a_refused_config_keeps_the_old_version() {
    let Some(bench) = Bench::nginx(switcher::front::NGINX_TEMPLATE).await else {
        return; // nginx is not installed (a failure in CI)
    };
    let hooks = support::hooks(Yours::SwitchInclude);
    let request = "switcher deploys behind real nginx, with your switch_include";
    for version in ["1", "2"] {
        if let Err(why) = bench.deploy(hooks, support::app(version, 0)).await {
            fail(
                request,
                format!("version {version} serves"),
                format!("the deploy failed: {why}"),
                SECTION,
            );
        }
        let now = bench.version().await;
        if now != version {
            fail(request, format!("/version says {version}"), now, SECTION);
        }
    }
    // A template nginx -t refuses (no semicolon): the deploy fails, the old
    // version keeps serving, and the include file is the old one.
    let include = bench.nginx.as_ref().expect("nginx").include.clone();
    let before = std::fs::read_to_string(&include).unwrap_or_default();
    let mut broken = (*bench.settings).clone();
    if let switcher::Front::Nginx { template, .. } = &mut broken.front {
        *template = "set $service_url http://127.0.0.1:{port}\n".into();
    }
    let load = Load::start(bench.front, 4);
    let result = tokio::task::spawn_blocking(move || {
        switcher::deploy(&broken, &hooks, &support::app("3", 0), &mut |_| {})
    })
    .await
    .unwrap_or_else(|_| Err("panicked".into()));
    let tally = load.finish().await;
    let after = std::fs::read_to_string(&include).unwrap_or_default();
    let now = bench.version().await;
    if result.is_ok() || after != before || now != "2" || !tally.failures.is_empty() {
        fail(
            "a deploy whose include line nginx -t refuses (a missing `;`)",
            "the deploy fails, the include file is the old one again, version 2 still serves, no request fails",
            format!(
                "deploy {}; include file {}; /version says {now}; {} failed requests",
                if result.is_ok() { "succeeded" } else { "failed" },
                if after == before { "the old one" } else { "CHANGED" },
                tally.failures.len()
            ),
            SECTION,
        );
    }
}
