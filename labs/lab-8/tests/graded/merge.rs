//! Graded: `merge`, through the real demo-was: the value it serves at
//! `/version` is the one your merge chose, and `--show` explains it with
//! the source your merge kept.

use crate::support::{fail, get, Setup, Yours};

const SECTION: &str = "Layers, weakest first";

const REPO: &str = "version = \"1.0.0\"\n";
const EXTERNAL: &str = "version = \"1.0.1\"\n";

#[tokio::test]
async fn the_environment_beats_the_external_file() {
    let mut setup = Setup::new(Yours::Merge);
    setup.repo(REPO);
    setup.external(EXTERNAL, 0o600);
    setup.env("DEMO_WAS_VERSION", "1.0.2");
    let did = "in-repo version 1.0.0, external 1.0.1, DEMO_WAS_VERSION=1.0.2; GET /version";
    let (running, _) = setup.start(did, "1.0.2", SECTION).await;
    let (_, version) = get(&running, "/version").await;
    if version != "1.0.2" {
        fail(
            did,
            "1.0.2 (the environment beats both files)",
            &version,
            SECTION,
        );
    }
    running.stop().await;
}

#[tokio::test]
async fn a_flag_beats_everything() {
    let mut setup = Setup::new(Yours::Merge);
    setup.repo(REPO);
    setup.external(EXTERNAL, 0o600);
    setup.env("DEMO_WAS_VERSION", "1.0.2");
    setup.flag("--version-label", "version", "9.9.9");
    let did = "files 1.0.0 and 1.0.1, DEMO_WAS_VERSION=1.0.2, --version-label 9.9.9; GET /version";
    let (running, _) = setup.start(did, "9.9.9", SECTION).await;
    let (_, version) = get(&running, "/version").await;
    if version != "9.9.9" {
        fail(
            did,
            "9.9.9 (a flag beats every other layer)",
            &version,
            SECTION,
        );
    }
    running.stop().await;
}

#[tokio::test]
async fn the_external_file_beats_the_in_repo_file() {
    let mut setup = Setup::new(Yours::Merge);
    setup.repo(REPO);
    setup.external(EXTERNAL, 0o600);
    let did = "in-repo version 1.0.0, external 1.0.1; GET /version";
    let (running, _) = setup.start(did, "1.0.1", SECTION).await;
    let (_, version) = get(&running, "/version").await;
    if version != "1.0.1" {
        fail(
            did,
            "1.0.1 (the external file beats the in-repo file)",
            &version,
            SECTION,
        );
    }
    running.stop().await;
}

#[tokio::test]
async fn the_profile_section_beats_the_rest_of_its_file() {
    let mut setup = Setup::new(Yours::Merge);
    setup.repo("version = \"1.0.0\"\n\n[profile.blue]\nversion = \"1.0.0-blue\"\n");
    setup.profile("blue");
    let did =
        "in-repo version 1.0.0, [profile.blue] version 1.0.0-blue, --profile blue; GET /version";
    let (running, _) = setup.start(did, "1.0.0-blue", SECTION).await;
    let (_, version) = get(&running, "/version").await;
    if version != "1.0.0-blue" {
        fail(
            did,
            "1.0.0-blue (later in the same layer wins)",
            &version,
            SECTION,
        );
    }
    running.stop().await;
}

#[tokio::test]
async fn show_names_the_source_that_won_and_what_it_beat() {
    let mut setup = Setup::new(Yours::Merge);
    let repo = setup.repo(REPO);
    let external = setup.external(EXTERNAL, 0o600);
    setup.env("DEMO_WAS_VERSION", "1.0.2");
    let did = "files 1.0.0 and 1.0.1, DEMO_WAS_VERSION=1.0.2; demo-was config --show";
    let (running, loaded) = setup.start(did, "it starts", SECTION).await;
    running.stop().await;
    let shown = loaded.show();
    let line = shown
        .lines()
        .find(|line| line.starts_with("version "))
        .unwrap_or("(no version line)");
    let expected = format!(
        "version           = 1.0.2   <- environment DEMO_WAS_VERSION (overrides built-in default, in-repo file {}:1:11, external file {}:1:11)",
        repo.display(),
        external.display()
    );
    if line != expected {
        fail(did, &expected, line, SECTION);
    }
}

#[tokio::test]
async fn a_key_set_once_keeps_its_source() {
    let mut setup = Setup::new(Yours::Merge);
    let external = setup.external(
        &format!(
            "[database]\npath = \"{}\"\nddl-auto = \"update\"\n",
            setup.db()
        ),
        0o600,
    );
    let did = "external file sets database.path; demo-was config --show";
    let (running, loaded) = setup.start(did, "it starts", SECTION).await;
    let (status, body) = get(&running, "/visits?name=ana").await;
    running.stop().await;
    if status != 200 {
        fail(
            "GET /visits?name=ana",
            "200: a visit stored in the database",
            &format!("{status}: {body}"),
            SECTION,
        );
    }
    let shown = loaded.show();
    let line = shown
        .lines()
        .find(|line| line.starts_with("database.path"))
        .unwrap_or("(no database.path line)");
    let expected = format!(
        "database.path     = {}   <- external file {}:2:8",
        setup.db(),
        external.display()
    );
    if line != expected {
        fail(did, &expected, line, SECTION);
    }
}
