//! Accepting connections and sending each request down the right path.
//!
//! One task accepts connections; each connection gets a task of its own, so a
//! slow client never holds up the others. Stopping is graceful: no new
//! connections are accepted, and requests already in flight are finished.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::Config;
use crate::files;
use crate::forward::Forwarder;
use crate::hooks::{guarded, Hooks};
use crate::response::{text, Body};
use crate::routing::{Route, StaticRules};

/// How long a stop waits for requests in flight before giving up on them.
const GRACE: Duration = Duration::from_secs(10);

/// Everything a request handler needs, shared by all connections.
struct State {
    root: Option<PathBuf>,
    forwarder: Option<Forwarder>,
    rules: StaticRules,
    hooks: Hooks,
}

/// A server that is running in the background.
pub struct Running {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Running {
    /// The address actually bound (useful after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets requests in flight finish, then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

/// Binds `config.listen` and starts serving in the background.
///
/// Errors are the bind's own (`AddrInUse` for a busy port) or a web root
/// that cannot be opened.
pub async fn start(config: Config, hooks: Hooks) -> std::io::Result<Running> {
    // Canonical root: the symlink guard compares real paths with real paths.
    let root = match &config.root {
        Some(root) => Some(tokio::fs::canonicalize(root).await?),
        None => None,
    };
    let forwarder = config
        .upstream
        .clone()
        .map(|upstream| Forwarder::new(upstream, config.upstream_timeout));
    let state = Arc::new(State {
        root,
        forwarder,
        rules: config.static_rules.clone(),
        hooks,
    });

    let listener = TcpListener::bind(config.listen).await?;
    let local_addr = listener.local_addr()?;
    let (stop, stopped) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, state, stopped));
    Ok(Running {
        local_addr,
        stop,
        task,
    })
}

async fn accept_loop(listener: TcpListener, state: Arc<State>, mut stopped: oneshot::Receiver<()>) {
    let graceful = GracefulShutdown::new();
    loop {
        let (stream, client) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Usually "too many open files": wait a moment, don't spin.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut stopped => break,
        };
        let _ = stream.set_nodelay(true);

        let state = state.clone();
        let service = service_fn(move |request| handle(state.clone(), request, client));
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            // A client that never finishes its headers must not hold a
            // connection open forever (the "slowloris" attack).
            .header_read_timeout(Duration::from_secs(30))
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, %client, "connection ended with an error");
            }
        });
    }
    drop(listener);
    if tokio::time::timeout(GRACE, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {GRACE:?}; stopping anyway");
    }
}

// ANCHOR: handle
/// Answers one request: static from disk, or dynamic through the upstream.
async fn handle(
    state: Arc<State>,
    request: Request<Incoming>,
    client: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();

    let route = match (&state.root, &state.forwarder) {
        (Some(_), Some(_)) => guarded("classify", || (state.hooks.classify)(&state.rules, &path)),
        (Some(_), None) => Ok(Route::Static),
        (None, _) => Ok(Route::Dynamic),
    };
    let mut response = match &route {
        Err(panic) => text(StatusCode::INTERNAL_SERVER_ERROR, panic),
        Ok(Route::Static) => serve_static(&state, &request, &path).await,
        Ok(Route::Dynamic) => match &state.forwarder {
            Some(forwarder) => forwarder.forward(request, client).await,
            None => text(StatusCode::NOT_FOUND, "no upstream is configured"),
        },
    };
    name_the_answerer(&mut response);
    // One access-log line per request, like nginx's: who, what, where it went.
    let went = match route {
        Ok(Route::Static) => "static",
        Ok(Route::Dynamic) => "upstream",
        Err(_) => "hook panicked",
    };
    tracing::info!(
        "{client} {method} {path} -> {went} {}",
        response.status().as_u16()
    );
    Ok(response)
}
// ANCHOR_END: handle

// ANCHOR: serve_static
async fn serve_static(state: &State, request: &Request<Incoming>, path: &str) -> Response<Body> {
    let Some(root) = &state.root else {
        return text(StatusCode::NOT_FOUND, "no web root is configured");
    };
    match guarded("resolve", || (state.hooks.resolve)(path)) {
        Err(panic) => text(StatusCode::INTERNAL_SERVER_ERROR, panic),
        Ok(Err(refused)) => text(StatusCode::BAD_REQUEST, refused),
        Ok(Ok(relative)) => {
            // The resolver must hand back a path *inside* the root: an
            // absolute path would replace the root when joined.
            if relative.is_absolute() {
                return text(StatusCode::FORBIDDEN, "the resolved path is absolute");
            }
            files::serve(
                root,
                &relative,
                path,
                request.uri().query(),
                request.method(),
                request.headers(),
            )
            .await
        }
    }
}
// ANCHOR_END: serve_static

/// Answers made here (files, errors) say `Server: miniproxy`; proxied ones
/// keep the upstream's own `Server` header, so `curl -i` shows which process
/// really answered.
fn name_the_answerer(response: &mut Response<Body>) {
    if !response.headers().contains_key(http::header::SERVER) {
        response.headers_mut().insert(
            http::header::SERVER,
            http::HeaderValue::from_static("miniproxy"),
        );
    }
}
