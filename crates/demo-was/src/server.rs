//! The server: a listening socket, an accept loop, and a graceful shutdown.
//!
//! The life of a server, and of this file, has three parts:
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

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};

use crate::app::App;
use crate::options::Options;

/// How long [`Running::stop`] waits for in-flight requests before it cuts
/// the remaining connections off.
///
/// Waiting forever would let one stuck client block a deploy; not waiting
/// at all would cut off every request in flight. Spring Boot's default for
/// the same choice (`spring.lifecycle.timeout-per-shutdown-phase`) is also
/// 30 seconds. Whatever runs the server (systemd, a deploy script) must be
/// willing to wait at least this long before it kills the process.
pub const GRACE_PERIOD: Duration = Duration::from_secs(30);

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
    let app = Arc::new(App::new(&options.profile, &options.version)?);
    let listener = TcpListener::bind(options.listen).await?;
    // With port 0 the OS chose the port; ask the socket which one it was.
    let local_addr = listener.local_addr()?;

    let (shutdown, shutdown_requested) = oneshot::channel();
    let task = tokio::spawn(serve(listener, app, shutdown_requested));
    Ok(Running {
        local_addr,
        profile: options.profile,
        shutdown,
        task,
    })
}
// ANCHOR_END: start

/// A server started by [`start`]: where it listens, and the way to stop it.
#[derive(Debug)]
pub struct Running {
    local_addr: SocketAddr,
    profile: String,
    /// Sending on (or dropping) this tells the accept loop to shut down.
    shutdown: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Running {
    /// The address the server listens on, with the real port even when you
    /// asked for port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The profile this server was started with.
    pub fn profile(&self) -> &str {
        &self.profile
    }

    /// Shut down gracefully, and return once it is done: the port is closed
    /// to new connections at once, requests already in flight finish (for up
    /// to [`GRACE_PERIOD`]), idle keep-alive connections are closed.
    pub async fn stop(self) {
        let Running { shutdown, task, .. } = self;
        // The accept loop may already be gone (it never is, unless it
        // panicked), in which case there is nobody to tell; that is fine.
        let _ = shutdown.send(());
        if let Err(err) = task.await {
            if err.is_panic() {
                // A bug in the server: let the caller's test fail loudly.
                std::panic::resume_unwind(err.into_panic());
            }
        }
    }
}

/// The accept loop, then the graceful shutdown. Runs as one task.
// ANCHOR: serve
async fn serve(listener: TcpListener, app: Arc<App>, mut shutdown: oneshot::Receiver<()>) {
    // `graceful` keeps track of every open connection, so that at shutdown
    // it can ask each one to finish up, and wait until all of them have.
    let graceful = GracefulShutdown::new();
    // The connection tasks. Keeping their handles lets us cut off the ones
    // that outlive the grace period.
    let mut connections = JoinSet::new();

    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    connections.spawn(serve_connection(stream, peer, app.clone(), &graceful));
                }
                Err(err) => {
                    // Usually "too many open files": a limit, not a reason
                    // to stop serving. Pause briefly so we don't spin.
                    tracing::warn!("accept failed: {err}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            },
            // `stop()` sent the signal, or the `Running` was dropped.
            _ = &mut shutdown => break,
        }
        // Forget connections that have finished, so the set does not grow.
        while connections.try_join_next().is_some() {}
    }

    // Step 1: stop accepting. Closing the listening socket makes new
    // connection attempts fail at once ("connection refused"), which tells a
    // proxy to use another upstream instead of waiting on us.
    drop(listener);

    // Step 2: finish what is in flight. Each connection finishes its current
    // request and then closes; idle ones close right away.
    if tokio::time::timeout(GRACE_PERIOD, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("grace period of {GRACE_PERIOD:?} is over; cutting off what is left");
    }
    // Step 3: whatever is left is aborted.
    connections.shutdown().await;
}
// ANCHOR_END: serve

/// Serve HTTP/1.1 on one TCP connection, until the client closes it, it
/// sits idle too long, or a graceful shutdown asks it to finish.
///
/// HTTP/1.1 is what proxies speak to the application behind them (nginx's
/// `proxy_http_version 1.1`), so it is all an application server needs.
// ANCHOR: serve_connection
fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: Arc<App>,
    graceful: &GracefulShutdown,
) -> impl Future<Output = ()> + Send + 'static {
    // Send small answers at once instead of letting the kernel wait to batch
    // them (Nagle's algorithm): it matters for `/slow`'s second half.
    let _ = stream.set_nodelay(true);

    // `service_fn` turns "a function from request to response" into what
    // hyper calls a service. `peer` is the other end of the TCP connection:
    // behind a proxy that is the proxy, not the browser; the browser's
    // address only arrives in headers such as X-Forwarded-For.
    let service = service_fn(move |request| {
        let response = app.handle(&request, peer);
        async move { Ok::<_, Infallible>(response) }
    });

    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(KEEP_ALIVE_TIMEOUT)
        .serve_connection(TokioIo::new(stream), service);
    // Register the connection, so a graceful shutdown can reach it.
    let connection = graceful.watch(connection);

    async move {
        // A client that resets its connection is an everyday event, not a
        // server problem: log it quietly.
        if let Err(err) = connection.await {
            tracing::debug!(%peer, "connection ended with an error: {err}");
        }
    }
}
// ANCHOR_END: serve_connection
