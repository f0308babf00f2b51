//! # demo-was: the sample web application server
//!
//! Deploy Workbook teaches how web code reaches its users. Most of the book
//! is about what stands *in front of* an application: a web server, a reverse
//! proxy, a load balancer, a blue/green switch. This crate is the thing they
//! all stand in front of: a small web *application* server (WAS).
//!
//! What makes it an application server rather than a file server is that its
//! answers are computed for each request: a greeting that counts requests,
//! the current time, an echo of the request's own headers. Nothing here could
//! be served from a file on disk, which is exactly the line chapter 1 draws
//! between "static" and "dynamic".
//!
//! ## Routes
//!
//! | route               | answer                                                   |
//! |---------------------|----------------------------------------------------------|
//! | `/`, `/hello?name=X`| `Hello, X! This is demo-was (profile P), request #N`     |
//! | `/time`             | the current time, as an HTTP date (UTC)                  |
//! | `/headers`          | the request's headers, one `name: value` per line        |
//! | `/health`           | `{"status":"UP"}` — what a load balancer or switcher polls|
//! | `/profile`          | the profile name (`blue`, `green`, `local`, …)           |
//! | `/version`          | the version label                                        |
//! | `/slow?ms=N`        | answers at once, finishes the body N ms later            |
//! | `/blocking?ms=N`    | blocks a worker thread N ms, at most 4 at once (`workers`)|
//! | `/workers`          | the worker slots: busy, free, most busy at once, …       |
//! | `/login-redirect`   | 302 to `http://<the Host it was asked for>/login`        |
//!
//! Every response says who answered: `Server: demo-was/<version>` and
//! `X-Profile: <profile>`. When two copies run behind a proxy (blue and
//! green), those two headers are how you tell them apart.
//!
//! ## Using it from Rust
//!
//! Labs and tests start the server inside their own process:
//!
//! ```ignore
//! // 127.0.0.1, port 0 (the OS picks a free port), profile "blue"
//! let running = demo_was::start(demo_was::Options::on_free_port("blue")).await?;
//! println!("blue is on {}", running.local_addr());
//! running.stop().await; // finishes in-flight requests, then returns
//! ```
//!
//! ## How the code is laid out
//!
//! Each module holds one idea:
//!
//! - `options`: what you can choose when starting a server ([`Options`]).
//! - `server`: the listening socket, and what demo-was brings to the shared
//!   accept loop and graceful stop (`serverkit`): its service and timeouts.
//! - `app`: routing — which path and method go to which page, and the
//!   headers every response carries.
//! - `pages`: the pages themselves, as plain functions.
//! - `query`: reading `?name=value` pairs out of a URL.
//! - `config`: layered configuration, profiles and the production guard
//!   (chapter 7); `launch` starts a server from it.
//! - `workers`: blocking handlers on a bounded pool of worker slots, the
//!   way gunicorn's sync workers run WSGI (chapter 4, lab 5).
//! - `secret`: a value no formatting can print.
//! - `store`, `visits`, and `db` (cargo feature `db`): the SQLite database
//!   behind `/visits`, and what `database.ddl-auto` does to it.

// Anchors like `ANCHOR: name` in these files mark the listings the book
// includes with `{{#include}}`; keep them when editing.

mod app;
pub mod config;
#[cfg(feature = "db")]
mod db;
mod launch;
mod options;
mod pages;
mod query;
pub mod secret;
mod server;
pub mod store;
mod visits;
pub mod workers;

pub use launch::launch;
pub use options::{Options, DEFAULT_PORT};
pub use server::{start, start_with_workers, Running, GRACE_PERIOD, KEEP_ALIVE_TIMEOUT};
