//! What the served book learns from `workbook serve`: instructor mode or
//! not (and, later, the learner's grades).
//!
//! The book is static HTML served by miniproxy, which has no dynamic routes,
//! so the server writes one small JSON file, `workbook-session.json`, next
//! to the pages, and `book/theme/course.js` fetches it on every page. A book
//! opened any other way (a file, another server) has no such file, and reads
//! as a learner's book: speaker notes hidden.

use std::path::Path;

use anyhow::Context;
use serde::Serialize;

use crate::fsutil;

/// The file's name, in the site's root directory.
pub const FILE: &str = "workbook-session.json";

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct Session {
    /// Speaker notes shown, presenter view offered.
    pub instructor: bool,
}

impl Session {
    pub fn new(instructor: bool) -> Session {
        Session { instructor }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("a session always encodes")
    }
}

/// Writes the session file into the built site (atomically: a page loading
/// at that moment reads the old file or the new one, never half of one).
pub fn write(site: &Path, session: &Session) -> anyhow::Result<()> {
    let path = site.join(FILE);
    fsutil::write_atomic(&path, session.to_json().as_bytes())
        .with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_file_says_whether_this_is_an_instructor() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &Session::new(true)).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["instructor"], serde_json::Value::Bool(true));
    }
}
