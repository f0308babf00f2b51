//! The floor under miniproxy's proxying: the least a reverse proxy built
//! from the same parts can do per request. serverkit's workers (one event
//! loop per core on a shared socket), hyper's server and client halves, idle
//! upstream connections reused on the worker that opened them: and nothing
//! else. No sites, hooks, header rewriting, retries, timeouts or health.
//!
//! `bash bench/compare.sh floor` and `bash bench/instructions.sh floor`
//! measure it like miniproxy, so what miniproxy's own work costs per
//! request is a measured number, not a guess. Not a proxy to use: it sends
//! everything to one upstream and answers any failure with a bare 502.
//!
//! ```sh
//! cargo run --release -p miniproxy --example floor -- 127.0.0.1:18081 127.0.0.1:18082
//! ```

use std::cell::RefCell;
use std::net::SocketAddr;

use bytes::Bytes;
use http::{Request, Response, StatusCode};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

type Body = BoxBody<Bytes, hyper::Error>;

thread_local! {
    /// This worker's idle connections to the upstream.
    static IDLE: RefCell<Vec<SendRequest<Body>>> = const { RefCell::new(Vec::new()) };
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::io::Result<()> {
    serverkit::init_logging("warn");
    let mut args = std::env::args().skip(1);
    let (Some(listen), Some(upstream)) = (args.next(), args.next()) else {
        eprintln!("usage: floor LISTEN_ADDR UPSTREAM_ADDR");
        std::process::exit(2);
    };
    let parse = |text: String| {
        text.parse::<SocketAddr>()
            .map_err(|e| std::io::Error::other(format!("{text}: {e}")))
    };
    let (listen, upstream) = (parse(listen)?, parse(upstream)?);
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let running = serverkit::Server::new(listener)
        .workers(workers)
        .start(move |_client| service_fn(move |request| forward(request, upstream)))?;
    eprintln!("floor: {listen} -> {upstream}, {workers} workers");
    let _ = tokio::signal::ctrl_c().await;
    running.stop().await;
    Ok(())
}

async fn forward(
    request: Request<Incoming>,
    upstream: SocketAddr,
) -> Result<Response<Body>, std::convert::Infallible> {
    let Some(mut sender) = connection(upstream).await else {
        return Ok(bad_gateway());
    };
    let Ok(mut answer) = sender.send_request(request.map(BodyExt::boxed)).await else {
        return Ok(bad_gateway());
    };
    // The one header no proxy may skip: the upstream's `Connection: close`
    // (nginx sends it on a connection's 1000th answer) is about *its*
    // connection, and passed on it would close the client's.
    answer.headers_mut().remove(http::header::CONNECTION);
    // Back to this worker's idle list once the answer's body is read.
    tokio::spawn(async move {
        if sender.ready().await.is_ok() {
            IDLE.with(|idle| idle.borrow_mut().push(sender));
        }
    });
    Ok(answer.map(BodyExt::boxed))
}

/// An idle connection that is still open, or a new one.
async fn connection(upstream: SocketAddr) -> Option<SendRequest<Body>> {
    while let Some(sender) = IDLE.with(|idle| idle.borrow_mut().pop()) {
        if sender.is_ready() {
            return Some(sender);
        }
    }
    let stream = TcpStream::connect(upstream).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await.ok()?;
    tokio::spawn(connection);
    Some(sender)
}

fn bad_gateway() -> Response<Body> {
    let mut response = Response::new(Empty::new().map_err(|never| match never {}).boxed());
    *response.status_mut() = StatusCode::BAD_GATEWAY;
    response
}
