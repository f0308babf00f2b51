//! Sending each request down the right path.
//!
//! Accepting connections and stopping gracefully are the same for every
//! server in this workspace, so they live once, in `serverkit`: one task
//! accepts connections, each connection gets a task of its own (a slow
//! client never holds up the others), and a stop closes the port first,
//! then lets requests in flight finish. What is miniproxy's own is here:
//! what it needs to answer ([`State`]) and how it answers ([`handle`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::access_log::{AccessLog, Requested};
use crate::config::Config;
use crate::files;
use crate::hooks::{guarded, Hooks};
use crate::live::Live;
use crate::response::{text, Body};
use crate::routing::{Route, StaticRules};
use crate::{limits, validate};

/// A server running in the background: [`Running::local_addr`] says where,
/// [`Running::stop`] stops accepting, lets requests in flight finish (for up
/// to [`serverkit::GRACE_PERIOD`]), then returns.
pub use serverkit::Running;

/// How long a client may take to send a request's headers. A client that
/// never finishes them must not hold a connection open forever (the
/// "slowloris" attack); nginx's `client_header_timeout` is 60 s.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a request handler needs, shared by all connections.
struct State {
    root: Option<PathBuf>,
    /// The upstream pools, swappable while serving (chapter 6, `live`).
    live: Arc<Live>,
    rules: StaticRules,
    hooks: Hooks,
    access_log: Arc<AccessLog>,
}

/// Binds `config.listen` and starts serving in the background.
///
/// Errors are the bind's own (`AddrInUse` for a busy port) or a web root
/// that cannot be opened.
pub async fn start(config: Config, hooks: Hooks) -> std::io::Result<Running> {
    Ok(start_live(config, hooks).await?.0)
}

/// [`start`], also returning the live pools, for the admin API and reloads.
pub async fn start_live(config: Config, hooks: Hooks) -> std::io::Result<(Running, Arc<Live>)> {
    // Canonical root: the symlink guard compares real paths with real paths.
    let root = match &config.root {
        Some(root) => Some(tokio::fs::canonicalize(root).await?),
        None => None,
    };
    let live = Live::new(&config, hooks);
    let state = Arc::new(State {
        root,
        live: live.clone(),
        rules: config.static_rules.clone(),
        hooks,
        access_log: Arc::new(AccessLog::open(&config.access_log)?),
    });

    let listener = TcpListener::bind(config.listen).await?;
    serverkit::Server::new(listener)
        .http1(|http| {
            http.header_read_timeout(HEADER_READ_TIMEOUT);
            limits::bound_request_head(http);
        })
        .max_connections(limits::MAX_CONNECTIONS)
        .start(move |client| {
            let state = state.clone();
            service_fn(move |request| handle(state.clone(), request, client))
        })
        .map(|running| (running, live))
}

// ANCHOR: handle
/// Answers one request: static from disk, or dynamic through the upstream.
async fn handle(
    state: Arc<State>,
    mut request: Request<Incoming>,
    client: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    let requested = Requested::new(&request, client);
    if let Err(refused) = validate::request(&mut request) {
        let mut refused = refused.response();
        name_the_answerer(&mut refused);
        return Ok(state.access_log.record(requested, refused));
    }
    let path = request.uri().path().to_owned();

    // A prefix with a pool of its own is dynamic, whatever the static rules
    // say; everything else is split into static and dynamic. The pools are
    // read once: a switch mid-request leaves this request on the old ones.
    let pools = state.live.current();
    let routed = pools.routed(&path);
    let route = match (&state.root, pools.forwarder()) {
        _ if routed.is_some() => Ok(Route::Dynamic),
        (Some(_), Some(_)) => guarded("classify", || (state.hooks.classify)(&state.rules, &path)),
        (Some(_), None) => Ok(Route::Static),
        (None, _) => Ok(Route::Dynamic),
    };
    let mut response = match &route {
        Err(panic) => text(StatusCode::INTERNAL_SERVER_ERROR, panic),
        Ok(Route::Static) => serve_static(&state, &request, &path).await,
        Ok(Route::Dynamic) => match routed.or(pools.forwarder()) {
            Some(forwarder) => forwarder.forward(request, client).await,
            None => text(StatusCode::NOT_FOUND, "no upstream is configured"),
        },
    };
    name_the_answerer(&mut response);
    // One access-log line per request, like nginx's, once the body is sent.
    Ok(state.access_log.record(requested, response))
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
