//! # serverkit: the skeleton every Deploy Workbook server shares
//!
//! miniproxy (the web server in front) and demo-was (the application server
//! behind it) answer very different requests, but the way they *run* is the
//! same, and it is easy to get subtly wrong. So it lives here, once:
//!
//! * [`Server`]: the accept loop and the graceful stop. Each connection runs
//!   in a task of its own, tracked so that a stop can wait for it, and cut it
//!   off when it overstays the grace period ([`GRACE_PERIOD`]). A panic in a
//!   connection task is logged, never silently lost.
//! * [`announce`]: printing a line to stdout that cannot kill the server.
//!   `println!` panics when stdout is a closed pipe (`miniproxy | head -1`),
//!   and a panic on the main task ends the process.
//! * [`raise_open_files_limit`] and the reserve descriptor: running out of
//!   file descriptors answers `503`, instead of failing at random.
//! * [`init_logging`]: logs to stderr that keep flowing, or silently stop,
//!   when stderr is closed, but never crash the server.
//!
//! Each server brings what makes it itself: its request handler (a hyper
//! service) and its HTTP/1 settings (timeouts).
//!
//! ```ignore
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let running = serverkit::Server::new(listener)
//!     .http1(|http| {
//!         http.header_read_timeout(std::time::Duration::from_secs(30));
//!     })
//!     .start(|peer| hyper::service::service_fn(move |request| answer(request, peer)))?;
//! println!("listening on {}", running.local_addr());
//! running.stop().await; // finishes requests in flight, then returns
//! ```

// Anchors like `ANCHOR: name` mark the listings the book includes with
// `{{#include}}`; keep them when editing.

mod announce;
mod balance;
mod descriptors;
mod logging;
mod server;

pub use announce::{announce, announce_err};
#[cfg(unix)]
pub use descriptors::raise_open_files_limit;
pub use logging::init_logging;
pub use server::{
    current_worker, ConnectionService, Running, Server, ACCEPT_BACKOFF, GRACE_PERIOD,
};
