//! Chapter 7 for real: the `demo-was` binary with layered files and
//! environment (set on the child only, never on this test process),
//! `config --show`, the production guard, and (with `--features db`) a real
//! SQLite file that `create` wipes in dev, that prod refuses to wipe, and
//! whose data survives restarts. Every output of every run is searched for
//! the password.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

const SECRET: &str = "pw-7f3a-must-not-leak";
const REPO: &str = include_str!("../../../playground/ch7/demo-was.toml");

fn demo_was(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_demo-was"));
    command.current_dir(dir).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// A directory with the chapter's in-repo file and an external file
/// (`etc/prod.toml`, holding the password) of the given mode.
fn workdir(mode: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("demo-was.toml"), REPO).unwrap();
    std::fs::create_dir(dir.path().join("etc")).unwrap();
    let external = dir.path().join("etc/prod.toml");
    let text =
        format!("version = \"1.0.1\"\n\n[database]\npath = \"prod.db\"\npassword = \"{SECRET}\"\n");
    std::fs::write(&external, text).unwrap();
    std::fs::set_permissions(&external, std::fs::Permissions::from_mode(mode)).unwrap();
    dir
}

/// Runs to completion: (success, stdout + stderr).
fn run(command: &mut Command) -> (bool, String) {
    let output = command.output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(!text.contains(SECRET), "the password leaked: {text}");
    assert!(!text.contains("panicked"), "{text}");
    (output.status.success(), text)
}

const PROD: &[(&str, &str)] = &[("DEMO_WAS_CONFIG", "etc/prod.toml")];

#[test]
fn show_explains_every_value_and_masks_the_secret() {
    let dir = workdir(0o600);
    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["config", "--show", "--profile", "prod", "--port", "9000"],
        &[
            ("DEMO_WAS_CONFIG", "etc/prod.toml"),
            ("DEMO_WAS_VERSION", "1.0.2"),
        ],
    ));
    assert!(ok, "{text}");
    let expected = [
        "profile           = prod   <- flag --profile",
        "listen            = 127.0.0.1:9000   <- flag --port (overrides built-in default)",
        "version           = 1.0.2   <- environment DEMO_WAS_VERSION (overrides built-in default, in-repo file demo-was.toml:2:11, external file etc/prod.toml:1:11)",
        "database.path     = prod.db   <- external file etc/prod.toml:4:8 (overrides in-repo file demo-was.toml:5:8)",
        "database.password = ******   <- external file etc/prod.toml:5:12",
        "database.ddl-auto = validate   <- in-repo file demo-was.toml:9:12 [profile.prod] (overrides built-in default, in-repo file demo-was.toml:6:12)",
    ];
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}

#[test]
fn prod_refuses_a_readable_external_file_with_the_chmod_fix() {
    let dir = workdir(0o644);
    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["config", "--show", "--profile", "prod"],
        PROD,
    ));
    assert!(!ok);
    assert_eq!(
        text,
        "demo-was: error: profile prod refuses to start: etc/prod.toml has mode 0644: other users may read it, and it holds secrets; fix: chmod 600 etc/prod.toml\n"
    );
    // Outside prod, the same file is accepted.
    let (ok, text) = run(&mut demo_was(dir.path(), &["config", "--show"], PROD));
    assert!(ok, "{text}");
}

#[test]
fn prod_refuses_create_naming_the_variable() {
    let dir = workdir(0o600);
    let env = [
        ("DEMO_WAS_CONFIG", "etc/prod.toml"),
        ("DEMO_WAS_DATABASE_DDL_AUTO", "create"),
    ];
    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["--profile", "prod", "--port", "0"],
        &env,
    ));
    assert!(!ok);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(
        text.contains("database.ddl-auto = create (from environment DEMO_WAS_DATABASE_DDL_AUTO)"),
        "{text}"
    );
    assert!(
        !dir.path().join("prod.db").exists(),
        "refused before opening the database"
    );
}

#[test]
fn bad_input_is_one_line_naming_where() {
    let dir = workdir(0o600);
    std::fs::write(
        dir.path().join("demo-was.toml"),
        "[database]\nddl_auto = \"create\"\n",
    )
    .unwrap();
    let (ok, text) = run(&mut demo_was(dir.path(), &["config", "--show"], &[]));
    assert!(!ok);
    assert!(
        text.starts_with("demo-was: error: demo-was.toml:2:1: unknown field `ddl_auto`"),
        "{text}"
    );

    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["config", "--show", "--config", "none.toml"],
        &[("DEMO_WAS_DDL_AUTO", "x")],
    ));
    assert!(!ok);
    assert!(text.contains("none.toml"), "{text}");

    std::fs::write(dir.path().join("demo-was.toml"), "").unwrap();
    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["config", "--show"],
        &[("DEMO_WAS_DDL_AUTO", "x")],
    ));
    assert!(!ok);
    assert!(
        text.contains("unknown variable DEMO_WAS_DDL_AUTO"),
        "{text}"
    );

    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["config", "--show", "--set", "database.ddl-auto=sometimes"],
        &[],
    ));
    assert!(!ok);
    assert!(text.contains("database.ddl-auto = \"sometimes\" (from flag --set database.ddl-auto): expected one of none, validate"), "{text}");

    let secret_flag = format!("database.password={SECRET}");
    let (ok, text) = run(&mut demo_was(
        dir.path(),
        &["config", "--set", &secret_flag],
        &[],
    ));
    assert!(!ok);
    assert!(text.contains("DEMO_WAS_DATABASE_PASSWORD"), "{text}");
}

#[cfg(not(feature = "db"))]
#[test]
fn a_database_without_the_feature_is_a_clear_error() {
    let dir = workdir(0o600);
    let (ok, text) = run(&mut demo_was(dir.path(), &["--port", "0"], &[]));
    assert!(!ok);
    assert!(text.contains("build it with --features db"), "{text}");
}

#[cfg(feature = "db")]
mod db {
    use super::*;
    use std::net::SocketAddr;
    use testkit::Process;

    /// Starts the binary, waits for "listening", returns it and its address.
    fn serve(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Process, SocketAddr) {
        let mut all = vec!["--port", "0"];
        all.extend_from_slice(args);
        let mut server = Process::spawn(&mut demo_was(dir, &all, env));
        let line = server.wait_for_line_containing("listening on");
        let addr = line
            .rsplit("http://")
            .next()
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        (server, addr)
    }

    async fn get(addr: SocketAddr, path: &str, outputs: &mut Vec<String>) -> String {
        let answer = testkit::http::request(addr, "GET", path, &[])
            .await
            .unwrap();
        let text = answer.text();
        outputs.push(format!("{:?} {text}", answer.headers));
        text.trim_end().to_string()
    }

    fn stop(mut server: Process, outputs: &mut Vec<String>) {
        server.assert_stops_cleanly();
        outputs.extend(server.seen().iter().cloned());
    }

    #[tokio::test]
    async fn create_wipes_in_dev_is_refused_in_prod_and_data_survives() {
        let dir = workdir(0o600);
        let mut outputs = Vec::new();

        // Dev: two visits, then `create` wipes them.
        let (server, addr) = serve(dir.path(), &[], &[]);
        get(addr, "/visits?name=ana", &mut outputs).await;
        assert_eq!(
            get(addr, "/visits?name=bo", &mut outputs).await,
            "hello bo: visit #2 stored"
        );
        stop(server, &mut outputs);
        let (server, addr) = serve(dir.path(), &["--set", "database.ddl-auto=create"], &[]);
        let seen = server.seen().join("\n");
        assert!(seen.contains("2 visits deleted"), "{seen}");
        assert_eq!(get(addr, "/visits", &mut outputs).await, "0 visits stored");
        stop(server, &mut outputs);

        // Prod: `validate` refuses the empty database, touching nothing.
        let (ok, text) = run(&mut demo_was(
            dir.path(),
            &["--profile", "prod", "--port", "0"],
            PROD,
        ));
        assert!(
            !ok && text.contains("has no table `visits`; the schema was left untouched"),
            "{text}"
        );
        outputs.push(text);

        // Create the schema once, on purpose, and store two visits.
        let (server, addr) = serve(
            dir.path(),
            &["--profile", "prod", "--set", "database.ddl-auto=update"],
            PROD,
        );
        get(addr, "/visits?name=ana", &mut outputs).await;
        get(addr, "/visits?name=bo", &mut outputs).await;
        stop(server, &mut outputs);

        // A stray `create` in the environment: refused, data intact.
        let env = [
            ("DEMO_WAS_CONFIG", "etc/prod.toml"),
            ("DEMO_WAS_DATABASE_DDL_AUTO", "create"),
        ];
        let (ok, text) = run(&mut demo_was(
            dir.path(),
            &["--profile", "prod", "--port", "0"],
            &env,
        ));
        assert!(!ok, "{text}");
        outputs.push(text);
        let (server, addr) = serve(dir.path(), &["--profile", "prod"], PROD);
        assert_eq!(get(addr, "/visits", &mut outputs).await, "2 visits stored");
        get(addr, "/headers", &mut outputs).await;
        stop(server, &mut outputs);

        // A wrong password is refused by the database's pretend login.
        std::fs::write(
            dir.path().join("etc/prod.toml"),
            "[database]\npath = \"prod.db\"\npassword = \"wrong\"\n",
        )
        .unwrap();
        let (ok, text) = run(&mut demo_was(
            dir.path(),
            &["--profile", "prod", "--port", "0"],
            PROD,
        ));
        assert!(!ok && text.contains("refused the login"), "{text}");
        outputs.push(text);

        for output in &outputs {
            assert!(!output.contains(SECRET), "the password leaked: {output}");
        }
    }

    #[test]
    fn validate_refuses_a_different_schema_without_touching_it() {
        let dir = workdir(0o600);
        let db = dir.path().join("demo.db");
        let connection = rusqlite::Connection::open(&db).unwrap();
        connection
            .execute_batch("CREATE TABLE visits (id INTEGER PRIMARY KEY, title TEXT); INSERT INTO visits (title) VALUES ('kept');")
            .unwrap();
        let (ok, text) = run(&mut demo_was(
            dir.path(),
            &["--port", "0", "--set", "database.ddl-auto=validate"],
            &[],
        ));
        assert!(!ok);
        assert!(
            text.contains("table `visits` in demo.db has columns [id, title], expected [id, name, at]; the schema was left untouched"),
            "{text}"
        );
        let kept: String = connection
            .query_row("SELECT title FROM visits", [], |row| row.get(0))
            .unwrap();
        assert_eq!(kept, "kept");
    }
}
