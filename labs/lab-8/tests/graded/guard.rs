//! Graded: `guard`, through the real demo-was on a real SQLite file: what
//! `prod` refuses to start with, what the refusal says (and never says),
//! and that the data is still there afterwards.

use crate::support::{fail, get, Setup, Yours};

const SECTION: &str = "The production guard";
const SECRET: &str = "pw-Zq81-never-print";

/// A database with two visits, made by the reference demo-was in dev.
async fn with_two_visits(setup: &mut Setup) {
    let db = setup.db();
    let repo = format!("[database]\npath = \"{db}\"\nddl-auto = \"update\"\n\n[profile.prod.database]\nddl-auto = \"validate\"\n");
    setup.repo(&repo);
    let running = setup.reference().await;
    get(&running, "/visits?name=ana").await;
    get(&running, "/visits?name=bo").await;
    running.stop().await;
}

/// After a refusal: prod with `validate` still finds both visits.
async fn still_two_visits(setup: &mut Setup, did: &str) {
    setup.sources.env.clear();
    setup.sources.flags.retain(|(flag, _, _)| flag == "--port");
    let running = setup.reference().await;
    let (_, body) = get(&running, "/visits").await;
    running.stop().await;
    if body != "2 visits stored" {
        fail(
            did,
            "the refused start touched nothing: 2 visits stored",
            &body,
            SECTION,
        );
    }
}

fn expect_refusal(
    did: &str,
    got: Result<(demo_was::Running, demo_was::config::Loaded), String>,
    words: &[&str],
) -> String {
    match got {
        Ok(_) => fail(
            did,
            &format!("a refusal naming {}", words.join(", ")),
            "demo-was started",
            SECTION,
        ),
        Err(error) => {
            if let Some(missing) = words.iter().find(|word| !error.contains(**word)) {
                fail(did, &format!("a refusal naming {missing}"), &error, SECTION);
            }
            error
        }
    }
}

#[tokio::test]
async fn prod_refuses_create_from_the_environment() {
    let mut setup = Setup::new(Yours::Guard);
    with_two_visits(&mut setup).await;
    setup.profile("prod");
    setup.env("DEMO_WAS_DATABASE_DDL_AUTO", "create");
    let did = "--profile prod, DEMO_WAS_DATABASE_DDL_AUTO=create";
    expect_refusal(
        did,
        setup.launch().await,
        &["database.ddl-auto", "DEMO_WAS_DATABASE_DDL_AUTO"],
    );
    still_two_visits(&mut setup, did).await;
}

#[tokio::test]
async fn prod_refuses_create_drop_from_a_flag() {
    let mut setup = Setup::new(Yours::Guard);
    with_two_visits(&mut setup).await;
    setup.profile("prod");
    setup.flag("--set", "database.ddl-auto", "create-drop");
    let did = "--profile prod --set database.ddl-auto=create-drop";
    expect_refusal(
        did,
        setup.launch().await,
        &["database.ddl-auto", "--set database.ddl-auto"],
    );
    still_two_visits(&mut setup, did).await;
}

#[tokio::test]
async fn prod_refuses_create_in_the_external_file() {
    let mut setup = Setup::new(Yours::Guard);
    with_two_visits(&mut setup).await;
    setup.profile("prod");
    let external = setup.external("[database]\nddl-auto = \"create\"\n", 0o600);
    let did = "--profile prod, external file with ddl-auto = \"create\"";
    let shown = format!("{}:2:12", external.display());
    expect_refusal(did, setup.launch().await, &["database.ddl-auto", &shown]);
    setup.sources.external_file = None;
    still_two_visits(&mut setup, did).await;
}

#[tokio::test]
async fn dev_may_create_the_schema() {
    let mut setup = Setup::new(Yours::Guard);
    with_two_visits(&mut setup).await;
    setup.flag("--set", "database.ddl-auto", "create");
    let did = "profile local, --set database.ddl-auto=create; GET /visits";
    let (running, _) = setup
        .start(did, "it starts (only prod is guarded)", SECTION)
        .await;
    let (_, body) = get(&running, "/visits").await;
    running.stop().await;
    if body != "0 visits stored" {
        fail(
            did,
            "0 visits stored (create wiped the table: allowed outside prod)",
            &body,
            SECTION,
        );
    }
}

#[tokio::test]
async fn prod_refuses_a_group_readable_external_file() {
    let mut setup = Setup::new(Yours::Guard);
    setup.profile("prod");
    let external = setup.external(&format!("[database]\npassword = \"{SECRET}\"\n"), 0o640);
    let did = "--profile prod, external file with mode 0640";
    let fix = format!("chmod 600 {}", external.display());
    let error = expect_refusal(did, setup.launch().await, &[&fix]);
    if error.contains(SECRET) {
        fail(
            did,
            "a refusal that never shows the password",
            &error,
            SECTION,
        );
    }
}

#[tokio::test]
async fn prod_starts_with_a_private_external_file() {
    let mut setup = Setup::new(Yours::Guard);
    with_two_visits(&mut setup).await;
    setup.profile("prod");
    setup.external("version = \"2.0.0\"\n", 0o600);
    let did = "--profile prod, external file mode 0600, ddl-auto validate; GET /visits";
    let (running, _) = setup.start(did, "it starts", SECTION).await;
    let (_, body) = get(&running, "/visits").await;
    running.stop().await;
    if body != "2 visits stored" {
        fail(did, "2 visits stored", &body, SECTION);
    }
}

#[tokio::test]
async fn a_password_in_the_repo_file_is_refused_without_showing_it() {
    let mut setup = Setup::new(Yours::Guard);
    let repo = setup.repo(&format!("[database]\npassword = \"{SECRET}\"\n"));
    setup.profile("prod");
    let did = "--profile prod, database.password in the in-repo file";
    let shown = format!("in-repo file {}:2:12", repo.display());
    let error = expect_refusal(did, setup.launch().await, &["database.password", &shown]);
    if error.contains(SECRET) {
        fail(
            did,
            "a refusal that never shows the password",
            &error,
            SECTION,
        );
    }
}

#[tokio::test]
async fn no_output_of_a_run_shows_the_secret() {
    let mut setup = Setup::new(Yours::Guard);
    with_two_visits(&mut setup).await;
    setup.profile("prod");
    setup.env("DEMO_WAS_DATABASE_PASSWORD", SECRET);
    let did = "--profile prod, DEMO_WAS_DATABASE_PASSWORD set; --show, /headers, /visits";
    let (running, loaded) = setup.start(did, "it starts", SECTION).await;
    let mut outputs = vec![loaded.show(), format!("{loaded:?}")];
    for path in ["/headers", "/visits", "/version", "/nope"] {
        outputs.push(get(&running, path).await.1);
    }
    running.stop().await;
    // A refusal with the same secret in the environment.
    setup.env("DEMO_WAS_DATABASE_DDL_AUTO", "create");
    if let Err(error) = setup.launch().await {
        outputs.push(error);
    }
    if let Some(leak) = outputs.iter().find(|output| output.contains(SECRET)) {
        fail(did, "the password in no output", leak, SECTION);
    }
}
