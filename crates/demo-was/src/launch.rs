//! Starting from layered configuration: what `demo-was` (the binary) and
//! lab 8 do, as opposed to [`start`](crate::start), which takes ready-made
//! [`Options`] and is what most tests use.
//!
//! Order matters: the configuration is loaded and guarded *before* the
//! database is opened, because opening is when `ddl-auto = create` drops
//! the tables. A guard that ran after the open would refuse over the ruins.

use std::sync::Arc;

use crate::config::{self, ConfigError, Hooks, Loaded, Sources};
use crate::server::{start_with_store, Running};
use crate::store::Store;
use crate::Options;

// ANCHOR: launch
/// Loads the configuration (with `hooks`' merge and guard), opens the
/// database if `database.path` is set, and starts serving.
pub async fn launch(sources: &Sources, hooks: Hooks) -> Result<(Running, Loaded), ConfigError> {
    let loaded = config::load(sources, hooks)?;
    let store = match &loaded.config.database {
        Some(database) => Some(open_store(database)?),
        None => None,
    };
    let options = Options {
        listen: loaded.config.listen,
        profile: loaded.profile.clone(),
        version: loaded.config.version.clone(),
    };
    let listen = options.listen;
    let running = start_with_store(options, store)
        .await
        .map_err(|error| ConfigError(format!("cannot listen on {listen}: {error}")))?;
    Ok((running, loaded))
}
// ANCHOR_END: launch

#[cfg(feature = "db")]
fn open_store(database: &config::DatabaseConfig) -> Result<Arc<dyn Store>, ConfigError> {
    let db = crate::db::open(database).map_err(ConfigError)?;
    Ok(Arc::new(db))
}

#[cfg(not(feature = "db"))]
fn open_store(_: &config::DatabaseConfig) -> Result<Arc<dyn Store>, ConfigError> {
    Err(ConfigError(
        "database.path is set, but this demo-was was built without the database: build it with --features db".into(),
    ))
}
