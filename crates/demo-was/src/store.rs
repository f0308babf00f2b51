//! Where demo-was keeps data that must outlive the process.
//!
//! A trait, so that the application does not care whether the database is
//! compiled in: the SQLite store lives in `db` behind the `db` cargo
//! feature, and without it demo-was has no store at all (and labs that
//! never touch data never compile SQLite).

use std::fmt;

pub trait Store: Send + Sync + fmt::Debug {
    /// Records a visit by `name`; returns how many visits are stored now.
    fn visit(&self, name: &str) -> Result<u64, String>;
    /// How many visits are stored.
    fn count(&self) -> Result<u64, String>;
    /// Called once when the server stops (`create-drop` drops its tables).
    fn close(&self);
}
