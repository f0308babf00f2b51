//! The server: a listening socket, the accept loop and a graceful stop.
//!
//! The life of a server has three parts:
//!
//! 1. **Bind.** Ask the operating system for the address and port. This is
//!    the step that fails when another program already holds the port, so it
//!    happens before [`start`] returns: the caller learns about it at once.
//! 2. **Accept and serve.** Loop: take the next TCP connection and hand it to
//!    its own task, where hyper reads HTTP requests from it and writes our
//!    answers back. One slow client never holds up the others.
//! 3. **Shut down gracefully.** Stop accepting new connections first, then let
//!    requests already in flight finish, closing idle keep-alive connections
//!    right away. Only then is it safe to end the process: no client sees its
//!    request cut off. This is what "zero-downtime deploy" relies on.
//!
//! Parts 2 and 3 are the same for every server in this workspace, so they
//! live once, in `serverkit` (its `serve` and `serve_connection`). What is
//! demo-was's own is here: its service (the [`App`]) and its keep-alive
//! timeout.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::app::App;
use crate::options::Options;
use crate::store::Store;
use crate::workers::Workers;

/// How long [`Running::stop`] waits for in-flight requests before it cuts
/// the remaining connections off: the one grace period every server in the
/// workspace uses (30 seconds, Spring Boot's default for the same choice;
/// see `serverkit::GRACE_PERIOD` for why).
pub use serverkit::GRACE_PERIOD;

/// How long a keep-alive connection may sit idle before we close it.
///
/// A proxy keeps connections to its upstream open and reuses them (a
/// *connection pool*). If the upstream closes an idle connection at the same
/// moment the proxy sends a request on it, that request fails. The rule that
/// avoids it: the upstream's idle timeout must be *longer* than the proxy's
/// pool timeout. nginx keeps idle upstream connections for 60 s by default
/// (`keepalive_timeout` in an `upstream` block), so we wait 75 s.
///
/// (In hyper this is the "header read timeout": the clock starts when hyper
/// waits for the next request on a connection and stops once that request's
/// headers have arrived, so it bounds the idle time and slow senders alike.)
pub const KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(75);

/// Bind `options.listen`, start serving in the background, and return at
/// once.
///
/// Must be called inside a tokio runtime. The server runs until you call
/// [`Running::stop`] — or drop the [`Running`], which starts the same
/// graceful shutdown without waiting for it.
///
/// # Errors
///
/// - the address cannot be bound (the port is in use: [`io::ErrorKind::AddrInUse`];
///   a privileged port or a foreign address: permission or address errors);
/// - the profile or version cannot be sent in an HTTP header (empty, or
///   containing a newline or other control character):
///   [`io::ErrorKind::InvalidInput`].
// ANCHOR: start
pub async fn start(options: Options) -> io::Result<Running> {
    start_with_store(options, None).await
}
// ANCHOR_END: start

/// [`start`], with `/blocking` served by `workers` instead of the default
/// pool: what lab 5's graded tests start, with the learner's hook inside.
pub async fn start_with_workers(options: Options, workers: Workers) -> io::Result<Running> {
    let app = App::new(&options.profile, &options.version)?.with_workers(workers);
    serve(options, app, None).await
}

/// [`start`], with a database behind `/visits` (chapter 7; see `launch`).
pub(crate) async fn start_with_store(
    options: Options,
    store: Option<Arc<dyn Store>>,
) -> io::Result<Running> {
    let app = App::new(&options.profile, &options.version)?.with_store(store.clone());
    serve(options, app, store).await
}

async fn serve(options: Options, app: App, store: Option<Arc<dyn Store>>) -> io::Result<Running> {
    let app = Arc::new(app);
    let listener = TcpListener::bind(options.listen).await?;

    let server = serverkit::Server::new(listener)
        .http1(|http| {
            http.header_read_timeout(KEEP_ALIVE_TIMEOUT);
        })
        // Called once per connection. `service_fn` turns "a function from
        // request to response" into what hyper calls a service. `peer` is
        // the other end of the TCP connection: behind a proxy that is the
        // proxy, not the browser; the browser's address only arrives in
        // headers such as X-Forwarded-For.
        .start(move |peer| {
            let app = app.clone();
            service_fn(move |request| {
                let app = app.clone();
                async move {
                    // The one page that blocks is served from the worker
                    // slots (workers.rs); every other page answers at once.
                    let response = match app.blocking_query(&request) {
                        Some(query) => app.blocking(&query, peer).await,
                        None => app.handle(&request, peer),
                    };
                    Ok::<_, Infallible>(response)
                }
            })
        })?;
    Ok(Running {
        profile: options.profile,
        server,
        store,
    })
}

/// A server started by [`start`]: where it listens, and the way to stop it.
#[derive(Debug)]
pub struct Running {
    profile: String,
    server: serverkit::Running,
    store: Option<Arc<dyn Store>>,
}

impl Running {
    /// The address the server listens on, with the real port even when you
    /// asked for port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// The profile this server was started with.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Shut down gracefully, and return once it is done: the port is closed
    /// to new connections at once, requests already in flight finish (for up
    /// to [`GRACE_PERIOD`]), idle keep-alive connections are closed. A panic
    /// of the server's own loop (a bug) is resumed here, so a test fails
    /// loudly.
    pub async fn stop(self) {
        self.server.stop().await;
        // After the last request: `create-drop` drops its tables here.
        if let Some(store) = self.store {
            store.close();
        }
    }
}
