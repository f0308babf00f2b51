//! `/visits`: the one page that uses the database (chapter 7).
//!
//! `GET /visits?name=ana` records a visit and answers how many are stored;
//! `GET /visits` only counts. Stored rows survive a restart, unless
//! `database.ddl-auto` says to drop them, which is the point.

use http::{Response, StatusCode};

use crate::app::{text, Body};
use crate::query;
use crate::store::Store;

pub fn page(store: Option<&dyn Store>, query: Option<&str>) -> Response<Body> {
    let Some(store) = store else {
        return text(
            StatusCode::NOT_FOUND,
            "no database here: set database.path (and build demo-was with --features db)\n",
        );
    };
    let name = query::param(query, "name").filter(|name| !name.is_empty());
    let answer = match &name {
        Some(name) => store
            .visit(name)
            .map(|n| format!("hello {name}: visit #{n} stored\n")),
        None => store.count().map(|n| format!("{n} visits stored\n")),
    };
    match answer {
        Ok(body) => text(StatusCode::OK, body),
        // Database errors name tables and columns, never the password.
        Err(error) => text(StatusCode::INTERNAL_SERVER_ERROR, format!("{error}\n")),
    }
}
