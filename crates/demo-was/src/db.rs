//! The SQLite database, and what `database.ddl-auto` does to its schema.
//!
//! Spring Boot (through Hibernate) can manage the schema for you at start:
//! `none` touches nothing, `validate` only checks, `update` creates what is
//! missing, `create` **drops every table and creates it empty**, and
//! `create-drop` does the same and drops everything again at stop. The last
//! two are handy on a laptop and a disaster in production: one wrong line,
//! pushed by mistake, and the data is gone at the next restart. That is
//! why the `prod` profile refuses them (see `config::guard`); here they
//! really drop the table, so chapter 7 can show the damage.
//!
//! SQLite has no logins. To make `database.password` real, demo-was plays
//! a database server's login: the schema stores a SHA-256 of the password
//! it was created with, and opening it with another password is refused.
//!
//! Queries run on the request's thread, under a mutex: fine for a demo that
//! writes one row per request; a real server would use a pool.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::config::{DatabaseConfig, DdlAuto};
use crate::store::Store;

/// The tables and columns this version of demo-was expects.
const SCHEMA: &[(&str, &[&str])] = &[
    ("visits", &["id", "name", "at"]),
    ("login", &["password_sha256"]),
];

const CREATE: &str = "CREATE TABLE IF NOT EXISTS visits (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    at   TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS login (password_sha256 TEXT NOT NULL);";

const DROP: &str = "DROP TABLE IF EXISTS visits; DROP TABLE IF EXISTS login;";

#[derive(Debug)]
pub struct Db {
    connection: Mutex<Connection>,
    drop_at_close: bool,
}

/// Opens the database and applies `ddl-auto`. Errors are one line and
/// never contain the password.
pub fn open(config: &DatabaseConfig) -> Result<Db, String> {
    let shown = config.path.display();
    let connection = Connection::open(&config.path)
        .map_err(|error| format!("cannot open database {shown}: {error}"))?;
    let sql = |error: rusqlite::Error| format!("database {shown}: {error}");
    let ddl = config.ddl_auto;
    match ddl {
        DdlAuto::None => {}
        DdlAuto::Validate => validate(&connection, &config.path)?,
        DdlAuto::Update => connection.execute_batch(CREATE).map_err(sql)?,
        DdlAuto::Create | DdlAuto::CreateDrop => {
            let lost = count_rows(&connection).unwrap_or(0);
            connection.execute_batch(DROP).map_err(sql)?;
            connection.execute_batch(CREATE).map_err(sql)?;
            tracing::warn!(
                "database.ddl-auto = {ddl} (from {}): dropped and re-created the tables of {shown}; {lost} visits deleted",
                config.ddl_auto_source
            );
        }
    }
    login(&connection, config)?;
    Ok(Db {
        connection: Mutex::new(connection),
        drop_at_close: ddl == DdlAuto::CreateDrop,
    })
}

/// `validate`: every expected table with exactly its columns, or a refusal
/// that says what differs. Nothing is changed either way.
fn validate(connection: &Connection, path: &Path) -> Result<(), String> {
    for (table, expected) in SCHEMA {
        let mut statement = connection
            .prepare(&format!("PRAGMA table_info({table})"))
            .map_err(|error| format!("database {}: {error}", path.display()))?;
        let columns: Vec<String> = statement
            .query_map([], |row| row.get::<_, String>(1))
            .and_then(|rows| rows.collect())
            .map_err(|error| format!("database {}: {error}", path.display()))?;
        if columns.is_empty() {
            return Err(format!(
                "database.ddl-auto = validate: {} has no table `{table}`; the schema was left untouched (create it with a migration, or once with update)",
                path.display()
            ));
        }
        if columns != *expected {
            return Err(format!(
                "database.ddl-auto = validate: table `{table}` in {} has columns [{}], expected [{}]; the schema was left untouched",
                path.display(),
                columns.join(", "),
                expected.join(", ")
            ));
        }
    }
    Ok(())
}

/// The pretend login: the first password seen is recorded (as a hash);
/// later opens must give the same one.
fn login(connection: &Connection, config: &DatabaseConfig) -> Result<(), String> {
    let has_table: bool = connection
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'login'",
            [],
            |row| row.get::<_, i64>(0),
        )
        .map(|n| n > 0)
        .map_err(|error| format!("database {}: {error}", config.path.display()))?;
    if !has_table {
        return Ok(()); // no schema yet (ddl-auto = none): pages will say so
    }
    let given = config
        .password
        .as_ref()
        .map(|secret| hex(&Sha256::digest(secret.expose().as_bytes())));
    let stored: Option<String> = connection
        .query_row("SELECT password_sha256 FROM login", [], |row| row.get(0))
        .optional()
        .map_err(|error| format!("database {}: {error}", config.path.display()))?;
    match (stored, given) {
        (None, Some(given)) => connection
            .execute("INSERT INTO login (password_sha256) VALUES (?1)", [given])
            .map(|_| ())
            .map_err(|error| format!("database {}: {error}", config.path.display())),
        (Some(stored), Some(given)) if stored == given => Ok(()),
        (None, None) => Ok(()),
        (Some(_), _) => Err(format!(
            "database {} refused the login: database.password is missing or wrong",
            config.path.display()
        )),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn count_rows(connection: &Connection) -> rusqlite::Result<u64> {
    connection.query_row("SELECT count(*) FROM visits", [], |row| row.get(0))
}

impl Store for Db {
    fn visit(&self, name: &str) -> Result<u64, String> {
        let connection = self
            .connection
            .lock()
            .map_err(|_| "database lock poisoned".to_string())?;
        connection
            .execute("INSERT INTO visits (name) VALUES (?1)", [name])
            .and_then(|_| count_rows(&connection))
            .map_err(|error| format!("database: {error}"))
    }

    fn count(&self) -> Result<u64, String> {
        let connection = self
            .connection
            .lock()
            .map_err(|_| "database lock poisoned".to_string())?;
        count_rows(&connection).map_err(|error| format!("database: {error}"))
    }

    fn close(&self) {
        if self.drop_at_close {
            if let Ok(connection) = self.connection.lock() {
                match connection.execute_batch(DROP) {
                    Ok(()) => tracing::warn!(
                        "database.ddl-auto = create-drop: dropped the tables at stop"
                    ),
                    Err(error) => tracing::warn!("create-drop could not drop the tables: {error}"),
                }
            }
        }
    }
}
