//! The settings demo-was knows. A key that is not here is a typo, and a
//! typo in a production file must stop the start, not be ignored: a
//! misspelt `ddl-auto` would silently fall back to the default.

use std::fmt;

/// `(key, built-in default, what it is)`. `None`: unset unless a layer sets it.
pub const KEYS: &[(&str, Option<&str>, &str)] = &[
    (
        "listen",
        Some("127.0.0.1:8081"),
        "address and port to listen on",
    ),
    ("version", None, "version label (/version, Server header)"),
    ("database.path", None, "SQLite file; unset: no database"),
    (
        "database.password",
        None,
        "the database login's password (secret)",
    ),
    (
        "database.ddl-auto",
        Some("none"),
        "what to do to the schema at start",
    ),
];

/// Keys whose values are secret: never printed, logged or put in an error.
const SECRETS: &[&str] = &["database.password"];

pub fn is_secret(key: &str) -> bool {
    SECRETS.contains(&key)
}

pub fn is_known(key: &str) -> bool {
    KEYS.iter().any(|(name, _, _)| *name == key)
}

/// The environment variable for a key, Spring Boot's way: prefix, upper
/// case, `.` and `-` become `_`. `database.ddl-auto` →
/// `DEMO_WAS_DATABASE_DDL_AUTO`.
pub fn env_name(key: &str) -> String {
    format!(
        "DEMO_WAS_{}",
        key.to_ascii_uppercase().replace(['.', '-'], "_")
    )
}

/// Spring's `spring.jpa.hibernate.ddl-auto`: what the application does to
/// the database schema when it starts (and stops).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DdlAuto {
    /// Touch nothing.
    None,
    /// Check that the tables look as expected; refuse to start otherwise.
    Validate,
    /// Create what is missing; never drop.
    Update,
    /// Drop the tables and create them empty: **wipes the data**.
    Create,
    /// `create` at start, and drop everything again at stop.
    CreateDrop,
}

impl DdlAuto {
    pub const NAMES: &str = "none, validate, update, create, create-drop";

    pub fn parse(text: &str) -> Option<DdlAuto> {
        Some(match text {
            "none" => DdlAuto::None,
            "validate" => DdlAuto::Validate,
            "update" => DdlAuto::Update,
            "create" => DdlAuto::Create,
            "create-drop" => DdlAuto::CreateDrop,
            _ => return None,
        })
    }
}

impl fmt::Display for DdlAuto {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DdlAuto::None => "none",
            DdlAuto::Validate => "validate",
            DdlAuto::Update => "update",
            DdlAuto::Create => "create",
            DdlAuto::CreateDrop => "create-drop",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_follow_spring() {
        assert_eq!(env_name("database.ddl-auto"), "DEMO_WAS_DATABASE_DDL_AUTO");
        assert_eq!(env_name("listen"), "DEMO_WAS_LISTEN");
    }

    #[test]
    fn ddl_auto_round_trips() {
        for name in DdlAuto::NAMES.split(", ") {
            assert_eq!(DdlAuto::parse(name).unwrap().to_string(), name);
        }
        assert_eq!(DdlAuto::parse("Create"), None);
    }
}
