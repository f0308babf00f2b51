//! The book in a real browser: Debian's chromium, headless, driven through
//! chromedriver (WebDriver) with `fantoccini`, against the real `workbook
//! serve` on a loopback port.
//!
//! Each test builds the book into its own temporary directory
//! (`MDBOOK_BUILD__BUILD_DIR`), serves it with the real binary on port 0,
//! and starts its own chromedriver and chromium in a process group of their
//! own, killed as a group when the test ends, pass or fail. The tests take
//! turns (one browser at a time): the machine may have two cores.
//!
//! Where chromium or chromedriver is missing the tests print a `skipped:`
//! line; with `WORKBOOK_REQUIRE_TOOLS=1` (CI) they fail instead.
//!
//! Screenshots go to `target/tmp/book-screenshots/` (not committed): look at
//! them after a change to the theme.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{json, Value};
use testkit::process::Process;
use testkit::wait::{wait_until, within};

/// One browser at a time.
static TURN: Mutex<()> = Mutex::new(());

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// Every page of the book, as served paths: the index and each page
/// SUMMARY.md links to.
fn pages() -> Vec<String> {
    let summary = std::fs::read_to_string(workspace_root().join("book/src/SUMMARY.md")).unwrap();
    let mut pages = vec!["index.html".to_string()];
    for line in summary.lines() {
        if let Some((_, rest)) = line.split_once("](") {
            let target = rest.split(')').next().unwrap();
            if let Some(page) = target.strip_suffix(".md") {
                pages.push(format!("{page}.html"));
            }
        }
    }
    assert!(pages.len() > 5, "SUMMARY.md lists pages: {pages:?}");
    pages
}

/// Kills a whole process group when dropped: chromedriver and every
/// chromium process it started, even if the test panicked mid-session.
struct Group(i32);

impl Drop for Group {
    fn drop(&mut self) {
        // SAFETY: killpg only sends a signal; the group is ours.
        unsafe {
            libc::killpg(self.0, libc::SIGKILL);
        }
    }
}

/// `workbook serve` on a free loopback port, with the book built into a
/// temporary directory.
struct Served {
    base: String,
    _process: Process,
    /// Where the book was built: the pages, and the files `serve` and
    /// `check` write beside them.
    site: tempfile::TempDir,
}

fn serve(instructor: bool) -> Served {
    serve_from(&workspace_root(), instructor)
}

/// [`serve`], for the workspace at `root`.
fn serve_from(root: &Path, instructor: bool) -> Served {
    let out = tempfile::tempdir().unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_workbook"));
    command
        .arg("--root")
        .arg(root)
        .args(["serve", "--port", "0"])
        .env("MDBOOK_BUILD__BUILD_DIR", out.path());
    if instructor {
        command.arg("--instructor");
    }
    let mut process = Process::spawn(&mut command);
    let line = process.wait_for_line_containing("Serving the book at ");
    let base = line
        .split("Serving the book at ")
        .nth(1)
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap()
        .to_string();
    assert!(base.starts_with("http://127.0.0.1:"), "{line}");
    Served {
        base,
        _process: process,
        site: out,
    }
}

/// chromedriver, chromium, and the WebDriver session between them. Fields
/// drop in order: the group (every browser process) goes first.
struct Browser {
    client: Client,
    _group: Group,
    _driver: Process,
    _profile: tempfile::TempDir,
}

/// Starts a browser, or returns `None` after a `skipped:` line.
async fn browser() -> Option<Browser> {
    let chromium = testkit::tool("chromium")?;
    let chromedriver = testkit::tool("chromedriver")?;
    let port = testkit::free_port();
    let mut command = Command::new(chromedriver);
    command.arg(format!("--port={port}"));
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    let mut driver = Process::spawn(&mut command);
    let group = Group(driver.id() as i32);
    driver.wait_for_line_containing("started successfully");

    let profile = tempfile::tempdir().unwrap();
    let caps: Capabilities = serde_json::from_value(json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
                "--window-size=1280,900",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        },
        "goog:loggingPrefs": { "browser": "ALL" },
    }))
    .unwrap();
    let client = within(
        "a WebDriver session",
        ClientBuilder::new(HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}")),
    )
    .await
    .expect("chromedriver starts a chromium session");
    Some(Browser {
        client,
        _group: group,
        _driver: driver,
        _profile: profile,
    })
}

/// chromedriver's log endpoint (not in the W3C protocol): the browser
/// console's entries since the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/se/log", session_id.unwrap_or("")))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(r#"{"type":"browser"}"#.to_string()),
        )
    }
}

/// The console's errors (level SEVERE: uncaught exceptions, failed loads)
/// since the last call.
async fn console_errors(client: &Client) -> Vec<String> {
    let log = client.issue_cmd(BrowserLog).await.unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter(|entry| entry["level"] == "SEVERE")
        .map(|entry| entry["message"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.unwrap()
}

/// Opens `url` and waits until the page settled: loaded, every image
/// finished (loaded or failed), and course.js decided the mode.
async fn open(client: &Client, url: &str) {
    client.goto(url).await.unwrap();
    wait_until(&format!("{url} settles"), || async move {
        js(
            client,
            "return document.readyState === 'complete' \
             && document.documentElement.dataset.workbook !== undefined \
             && Array.from(document.images).every(i => i.complete);",
        )
        .await
            == Value::Bool(true)
    })
    .await;
}

async fn screenshot(client: &Client, name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("book-screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
    eprintln!("screenshot: {}", path.display());
    path
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn every_page_has_working_links_anchors_and_images_and_no_console_error() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(browser) = browser().await else {
            return;
        };
        let served = serve(false);
        let client = &browser.client;
        let base = served.base.as_str();

        // Per visited page, the ids on it; per page, its links.
        let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut links: Vec<(String, String)> = Vec::new();
        let mut problems = Vec::new();
        let mut images = 0;
        for page in pages() {
            open(client, &format!("{base}{page}")).await;
            let report = js(
                client,
                "return {
                    ids: Array.from(document.querySelectorAll('[id]'), e => e.id)
                        .concat(Array.from(document.querySelectorAll('a[name]'), e => e.name)),
                    links: Array.from(document.querySelectorAll('a[href]'), a => a.href),
                    images: Array.from(document.images, i => [i.src, i.naturalWidth]),
                };",
            )
            .await;
            ids.insert(
                page.clone(),
                report["ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|id| id.as_str().unwrap().to_string())
                    .collect(),
            );
            for link in report["links"].as_array().unwrap() {
                let link = link.as_str().unwrap();
                if let Some(path) = link.strip_prefix(base) {
                    links.push((page.clone(), path.to_string()));
                }
            }
            for image in report["images"].as_array().unwrap() {
                images += 1;
                if image[1].as_u64() == Some(0) {
                    problems.push(format!("{page}: image {} did not load", image[0]));
                }
            }
            for error in console_errors(client).await {
                problems.push(format!("{page}: console error: {error}"));
            }
        }
        assert!(images >= 5, "the chapters' diagrams were seen ({images})");

        let addr: std::net::SocketAddr = base
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        let mut checked = BTreeSet::new();
        for (page, link) in &links {
            let (path, fragment) = link.split_once('#').unwrap_or((link, ""));
            let path = path.split('?').next().unwrap();
            let path = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_string()
            };
            if checked.insert(path.clone()) {
                let answer = testkit::http::get(addr, &format!("/{path}")).await.unwrap();
                if answer.status != 200 {
                    problems.push(format!("{page}: link to {link}: {}", answer.status));
                }
            }
            if fragment.is_empty() {
                continue;
            }
            if let Some(known) = ids.get(&path) {
                let fragment = percent_decode(fragment);
                if !known.contains(&fragment) {
                    problems.push(format!("{page}: link to {link}: no #{fragment} there"));
                }
            }
        }
        assert!(links.len() > 50, "links were found: {}", links.len());
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    });
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() + 1 {
            if let Ok(byte) = u8::from_str_radix(&text[i + 1..(i + 3).min(text.len())], 16) {
                out.push(byte);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn search_finds_a_term_from_a_later_chapter() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(browser) = browser().await else {
            return;
        };
        let served = serve(false);
        let client = &browser.client;
        open(client, &format!("{}index.html", served.base)).await;
        // "SQLite" appears only in chapter 7 (the database behind `db`).
        client
            .find(Locator::Css("#mdbook-search-toggle"))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        let bar = client
            .wait()
            .for_element(Locator::Css("#mdbook-searchbar"))
            .await
            .unwrap();
        bar.send_keys("SQLite").await.unwrap();
        wait_until("a search result links to chapter 7", || async move {
            js(
                client,
                "return Array.from(document.querySelectorAll('#mdbook-searchresults a'), \
                 a => a.href).some(h => h.includes('ch07-production-config.html'));",
            )
            .await
                == Value::Bool(true)
        })
        .await;
        screenshot(client, "search.png").await;
        assert_eq!(console_errors(client).await, Vec::<String>::new());
    });
}

/// The first question of chapter 1's quiz, from the chapter's source: its
/// answer and one distractor.
fn first_question() -> (String, String, String) {
    let text = std::fs::read_to_string(workspace_root().join("book/src/ch01-quiz.md")).unwrap();
    let block = text.split("```quiz\n").nth(1).unwrap();
    let block = block.split("\n```").next().unwrap();
    let quiz: toml::Value = toml::from_str(block).unwrap();
    let question = &quiz["question"][0];
    (
        question["answer"].as_str().unwrap().trim().to_string(),
        question["distractors"][0]
            .as_str()
            .unwrap()
            .trim()
            .to_string(),
        question["explanation"].as_str().unwrap().to_string(),
    )
}

#[test]
fn a_quiz_answered_wrong_then_right_says_so_and_explains() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(browser) = browser().await else {
            return;
        };
        let served = serve(false);
        let client = &browser.client;
        open(client, &format!("{}ch01-quiz.html", served.base)).await;
        let (answer, distractor, explanation) = first_question();

        let pick = |choice: String| async move {
            let form = client
                .find(Locator::Css("form.quiz-question"))
                .await
                .unwrap();
            let mut found = false;
            for input in form.find_all(Locator::Css("input")).await.unwrap() {
                if input.prop("value").await.unwrap().as_deref() == Some(choice.as_str()) {
                    input.click().await.unwrap();
                    found = true;
                }
            }
            assert!(found, "no choice {choice:?}");
            form.find(Locator::Css("button[type=submit]"))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        };
        let feedback = |kind: &'static str| async move {
            let script = format!(
                "const f = document.querySelector('form.quiz-question .quiz-feedback');\
                 return f.classList.contains('is-{kind}') ? f.innerText : null;"
            );
            let mut text = String::new();
            let text_ref = &mut text;
            wait_until(&format!("the quiz says {kind}"), || {
                let script = script.clone();
                async move { js(client, &script).await.as_str().is_some() }
            })
            .await;
            *text_ref = js(client, &script).await.as_str().unwrap().to_string();
            text
        };

        pick(distractor).await;
        let wrong = feedback("wrong").await;
        assert!(wrong.starts_with("Not this one."), "{wrong}");

        pick(answer).await;
        let right = feedback("right").await;
        assert!(right.starts_with("Right."), "{right}");
        // The unsealed explanation: its first words, as plain text.
        let first_words: String = explanation
            .split_whitespace()
            .take(6)
            .collect::<Vec<_>>()
            .join(" ")
            .replace('`', "");
        assert!(right.contains(&first_words), "{first_words:?} in {right:?}");
        screenshot(client, "quiz.png").await;
        assert_eq!(console_errors(client).await, Vec::<String>::new());
    });
}

/// Per page: (speaker-note boxes, how many of them are visible).
async fn speaker_notes(client: &Client, base: &str) -> BTreeMap<String, (u64, u64)> {
    let mut seen = BTreeMap::new();
    for page in pages() {
        open(client, &format!("{base}{page}")).await;
        let counts = js(
            client,
            "const notes = Array.from(document.querySelectorAll('details.speaker-notes'));\
             return [notes.length, notes.filter(n => n.open && n.offsetHeight > 0 \
                 && n.querySelector(':scope > :not(summary)').offsetHeight > 0).length];",
        )
        .await;
        seen.insert(
            page,
            (counts[0].as_u64().unwrap(), counts[1].as_u64().unwrap()),
        );
    }
    seen
}

#[test]
fn speaker_notes_are_hidden_from_learners_and_shown_in_instructor_mode() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(browser) = browser().await else {
            return;
        };
        let client = &browser.client;

        let learner = serve(false);
        let as_learner = speaker_notes(client, &learner.base).await;
        drop(learner);
        let instructor = serve(true);
        let as_instructor = speaker_notes(client, &instructor.base).await;

        let with_notes: Vec<_> = as_learner.iter().filter(|(_, c)| c.0 > 0).collect();
        assert!(with_notes.len() >= 5, "pages with notes: {with_notes:?}");
        for (page, (notes, visible)) in &as_learner {
            assert_eq!(
                *visible, 0,
                "{page}: a learner sees {visible} of {notes} notes"
            );
        }
        for (page, (notes, visible)) in &as_instructor {
            assert_eq!(
                visible, notes,
                "{page}: an instructor sees {visible} of {notes}"
            );
        }
        assert_eq!(
            as_learner.keys().collect::<Vec<_>>(),
            as_instructor.keys().collect::<Vec<_>>()
        );
        open(client, &format!("{}ch01-ws-vs-was.html", instructor.base)).await;
        client
            .find(Locator::Css("#workbook-presenter-button"))
            .await
            .expect("instructor mode offers the presenter view");
        assert_eq!(console_errors(client).await, Vec::<String>::new());
    });
}

#[test]
fn diagrams_render_on_a_white_ground_in_light_and_navy_themes() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(browser) = browser().await else {
            return;
        };
        let served = serve(false);
        let client = &browser.client;
        let mut diagrams = 0;
        for theme in ["light", "navy"] {
            // mdBook keeps the reader's theme in localStorage.
            open(client, &format!("{}index.html", served.base)).await;
            js(
                client,
                &format!("localStorage.setItem('mdbook-theme', '{theme}'); return null;"),
            )
            .await;
            for page in pages() {
                open(client, &format!("{}{page}", served.base)).await;
                let html_class = js(client, "return document.documentElement.className;").await;
                assert!(
                    html_class.as_str().unwrap().split(' ').any(|c| c == theme),
                    "{page} is in the {theme} theme: {html_class}"
                );
                let found = js(
                    client,
                    // Not mdBook's zoomed copy (`.img-wrapper`), hidden until clicked.
                    "return Array.from(document.querySelectorAll('main img[src$=\".svg\"]'))\
                        .filter(i => !i.closest('.img-wrapper')).map(i => {\
                        const r = i.getBoundingClientRect();\
                        return [i.getAttribute('src'), i.naturalWidth, r.width, r.height,\
                                getComputedStyle(i).backgroundColor];\
                     });",
                )
                .await;
                for image in found.as_array().unwrap() {
                    diagrams += 1;
                    let src = &image[0];
                    assert!(image[1].as_u64().unwrap() > 0, "{page} {theme}: {src} loaded");
                    assert!(image[2].as_f64().unwrap() > 100.0, "{page} {theme}: {src} width: {image}");
                    assert!(image[3].as_f64().unwrap() > 50.0, "{page} {theme}: {src} height");
                    // The SVGs are drawn for a light page: the theme keeps
                    // them on white, so dark lines stay legible on navy.
                    assert_eq!(
                        image[4], "rgb(255, 255, 255)",
                        "{page} {theme}: {src} ground"
                    );
                }
                if page == "ch01-ws-vs-was.html" || page == "ch02-reverse-proxy.html" {
                    js(
                        client,
                        "document.querySelector('main img[src$=\".svg\"]').scrollIntoView(); return null;",
                    )
                    .await;
                    let name = page.trim_end_matches(".html");
                    screenshot(client, &format!("{name}-{theme}.png")).await;
                }
            }
            assert_eq!(console_errors(client).await, Vec::<String>::new());
        }
        assert!(diagrams >= 10, "diagrams checked in both themes: {diagrams}");
    });
}

/// The workspace, seen through a directory of symbolic links to each of its
/// entries but `.workbook`: a learner's progress of the test's own making,
/// without touching the checkout's.
fn workspace_with_progress(state_toml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(workspace_root()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        if name == ".workbook" || name == "target" {
            continue;
        }
        std::os::unix::fs::symlink(entry.path(), dir.path().join(&name)).unwrap();
    }
    std::fs::create_dir(dir.path().join(".workbook")).unwrap();
    std::fs::write(dir.path().join(".workbook/state.toml"), state_toml).unwrap();
    dir
}

/// The page lab `n`'s manifest names, as served.
fn lab_page(n: u32) -> String {
    let manifest =
        std::fs::read_to_string(workspace_root().join(format!("labs/lab-{n}/lab.toml"))).unwrap();
    let value: toml::Value = toml::from_str(&manifest).unwrap();
    value["page"].as_str().unwrap().replace(".md", ".html")
}

/// The text of lab 2's grade box, or "" without one. Read in one script:
/// the page may redraw the box between a find and a read.
async fn grade_text(client: &Client) -> String {
    let text = js(
        client,
        "const box = document.getElementById('workbook-grade-2'); return box ? box.innerText : '';",
    )
    .await;
    text.as_str().unwrap_or_default().to_string()
}

#[test]
fn a_lab_page_shows_the_last_grade_and_follows_the_next_check() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    runtime().block_on(async {
        let Some(browser) = browser().await else {
            return;
        };
        let client = &browser.client;
        let root = workspace_with_progress(
            "[labs.lab-2.last_check]\noutcome = \"failing\"\npassed = 12\ntotal = 14\n\
             first_failure = \"choose::a_weight_of_zero_is_never_chosen (tests/graded.rs)\"\n\
             exercise = \"choose\"\nat = 1795700000\n",
        );
        let served = serve_from(root.path(), false);
        let page = format!("{}{}", served.base, lab_page(2));
        open(client, &page).await;

        let text = grade_text(client).await;
        assert!(text.contains("Your lab 2: 12 of 14 graded tests pass."), "{text}");
        assert!(
            text.contains("First failing test: choose::a_weight_of_zero_is_never_chosen"),
            "{text}"
        );
        assert!(text.contains("hint 2 choose"), "the next command: {text}");
        // Right under the lab's heading, not anywhere on the page.
        let after_heading = js(
            client,
            "const box = document.getElementById('workbook-grade-2'); \
             return box.previousElementSibling.id.startsWith('lab-2');",
        )
        .await;
        assert_eq!(after_heading, Value::Bool(true));
        js(client, "document.getElementById('workbook-grade-2').scrollIntoView({block: 'center'}); return null;").await;
        screenshot(client, "lab-2-grade.png").await;

        // A later `check` rewrites the progress file; the open page follows.
        let file = served.site.path().join("workbook-progress.json");
        let progress = std::fs::read_to_string(&file).unwrap();
        let mut value: Value = serde_json::from_str(&progress).unwrap();
        for lab in value["labs"].as_array_mut().unwrap() {
            if lab["number"] == 2 {
                lab["grade"]["outcome"] = json!("passing");
                lab["headline"] = json!("All 14 graded tests pass. Well done!");
                lab["next"] = json!([]);
            }
        }
        std::fs::write(&file, value.to_string()).unwrap();
        wait_until("the page shows the new grade", || async {
            grade_text(client).await.contains("All 14 graded tests pass")
        })
        .await;

        // Other lab pages show their own lab, never lab 2's grade.
        open(client, &format!("{}{}", served.base, lab_page(1))).await;
        assert_eq!(grade_text(client).await, "");
        let lab_1 = client.find(Locator::Css("#workbook-grade-1")).await;
        let lab_1 = lab_1.expect("lab 1's page shows its (ungraded) state").text().await.unwrap();
        assert!(lab_1.contains("Not graded yet."), "{lab_1}");
        assert_eq!(console_errors(client).await, Vec::<String>::new());
    });
}
