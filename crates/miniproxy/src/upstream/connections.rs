//! Connections to one upstream, kept open and reused (a connection pool).
//!
//! Opening a TCP connection costs a round trip before the first byte of the
//! request can go out, so a proxy keeps finished connections open ("idle")
//! and sends the next request on one of them: HTTP/1.1 keep-alive, on the
//! proxy's side. nginx does this with `keepalive 32` in an `upstream` block.
//!
//! Two rules keep reuse safe:
//!
//! * **Close idle connections before the upstream does.** An upstream also
//!   closes connections that sit idle (Tomcat after 20 s, demo-was after
//!   75 s). A request sent on a connection the upstream is closing at that
//!   very moment is lost. So idle connections here are dropped after
//!   [`IDLE_TIMEOUT`], shorter than any common upstream's.
//! * **A request that was never written can always be retried.** hyper's
//!   `try_send_request` hands the request back when the connection turned
//!   out to be closed before anything was sent; the caller then tries a new
//!   connection. (Whether a request that *was* sent may be retried is the
//!   caller's decision: see `forward`.)

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::uri::Authority;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::response::Body;

/// How long a connection may sit idle in the pool: below Tomcat's 20 s
/// keep-alive default, so we always close first.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(15);

/// At most this many idle connections per upstream are kept.
const MAX_IDLE: usize = 64;

/// The open connections to one upstream.
#[derive(Debug)]
pub struct Connections {
    authority: Authority,
    idle: Mutex<Vec<Idle>>,
}

#[derive(Debug)]
struct Idle {
    sender: SendRequest<Body>,
    since: Instant,
    /// The worker thread whose event loop runs the connection's task: only
    /// that worker reuses it (see `serverkit::current_worker`).
    worker: usize,
}

/// A connection ready for one request.
pub struct Checkout {
    pub sender: SendRequest<Body>,
    /// True when it came from the pool (it may have been closed meanwhile).
    pub reused: bool,
}

/// A connection lent to one exchange, which goes back to the pool when this
/// is dropped. The response body carries it: hyper drops the body once it
/// has been passed on to the client (or the client went away), and only
/// then is the connection free for the next request.
pub struct CheckIn {
    connections: Arc<Connections>,
    sender: Option<SendRequest<Body>>,
}

impl CheckIn {
    pub fn new(connections: Arc<Connections>, sender: SendRequest<Body>) -> CheckIn {
        CheckIn {
            connections,
            sender: Some(sender),
        }
    }
}

impl Drop for CheckIn {
    fn drop(&mut self) {
        if let Some(sender) = self.sender.take() {
            self.connections.check_in(sender);
        }
    }
}

/// Why no connection could be opened.
#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("no connection within {0:?}")]
    TimedOut(Duration),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("the HTTP handshake failed: {0}")]
    Handshake(#[from] hyper::Error),
}

impl ConnectError {
    /// "Too many open files": this machine's limit, not the upstream's fault.
    pub fn is_out_of_descriptors(&self) -> bool {
        matches!(self, ConnectError::Io(e) if e.raw_os_error() == Some(libc::EMFILE) || e.raw_os_error() == Some(libc::ENFILE))
    }
}

impl Connections {
    pub fn new(authority: Authority) -> Connections {
        Connections {
            authority,
            idle: Mutex::new(Vec::new()),
        }
    }

    pub fn authority(&self) -> &Authority {
        &self.authority
    }

    /// An idle connection if a fresh one is ready, else a new connection.
    pub async fn checkout(&self, connect_timeout: Duration) -> Result<Checkout, ConnectError> {
        if let Some(sender) = self.take_idle() {
            return Ok(Checkout {
                sender,
                reused: true,
            });
        }
        let sender = self.connect(connect_timeout).await?;
        Ok(Checkout {
            sender,
            reused: false,
        })
    }

    /// A new connection, never one from the pool.
    pub async fn connect(
        &self,
        connect_timeout: Duration,
    ) -> Result<SendRequest<Body>, ConnectError> {
        let connecting = TcpStream::connect(self.authority.as_str());
        let stream = tokio::time::timeout(connect_timeout, connecting)
            .await
            .map_err(|_| ConnectError::TimedOut(connect_timeout))??;
        let _ = stream.set_nodelay(true);
        let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
        // The connection does its reading and writing in a task of its own.
        // `with_upgrades` lets a 101 Switching Protocols (WebSocket) take the
        // connection over instead of ending it.
        tokio::spawn(async move {
            if let Err(error) = connection.with_upgrades().await {
                tracing::debug!(%error, "upstream connection ended");
            }
        });
        Ok(sender)
    }

    /// Puts a connection back once its exchange is over (the response body
    /// was passed on to the end): see [`CheckIn`]. A connection that ends
    /// instead, or that the pool has no room for, is simply dropped (closed).
    fn check_in(self: &Arc<Self>, mut sender: SendRequest<Body>) {
        let worker = serverkit::current_worker();
        if sender.is_ready() {
            // The usual case: the connection's task, which read the body,
            // has already made it ready for the next request.
            self.keep(sender, worker);
        } else if !sender.is_closed() {
            // Still finishing the exchange (its task may run on another
            // thread of a multi-threaded runtime): wait for it, off the
            // request's path.
            let Ok(runtime) = tokio::runtime::Handle::try_current() else {
                return;
            };
            let pool = self.clone();
            runtime.spawn(async move {
                if sender.ready().await.is_ok() {
                    pool.keep(sender, worker);
                }
            });
        }
    }

    fn keep(&self, sender: SendRequest<Body>, worker: usize) {
        let mut idle = self.idle.lock().expect("pool lock");
        if idle.len() < MAX_IDLE {
            idle.push(Idle {
                sender,
                since: Instant::now(),
                worker,
            });
        }
    }

    /// This worker's most recently used idle connection that is still
    /// fresh; stale ones found on the way are dropped.
    fn take_idle(&self) -> Option<SendRequest<Body>> {
        let worker = serverkit::current_worker();
        let mut idle = self.idle.lock().expect("pool lock");
        while let Some(newest) = idle
            .iter()
            .rposition(|candidate| candidate.worker == worker)
        {
            let candidate = idle.remove(newest);
            let fresh = candidate.since.elapsed() < IDLE_TIMEOUT;
            if fresh && candidate.sender.is_ready() {
                return Some(candidate.sender);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use bytes::Bytes;
    use http_body_util::{BodyExt, Empty, Full};
    use hyper::service::service_fn;

    #[tokio::test]
    async fn a_connection_is_reused_once_its_answer_is_read() {
        // An upstream that counts the connections it is given.
        let opened = Arc::new(AtomicUsize::new(0));
        let counter = opened.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let upstream = serverkit::Server::new(listener)
            .start(move |_client| {
                counter.fetch_add(1, Ordering::SeqCst);
                service_fn(|_request| async {
                    Ok::<_, Infallible>(http::Response::new(Full::new(Bytes::from("ok"))))
                })
            })
            .unwrap();
        let authority: Authority = upstream.local_addr().to_string().parse().unwrap();
        let pool = Arc::new(Connections::new(authority));

        for round in 0..3 {
            let mut checkout = pool.checkout(Duration::from_secs(5)).await.unwrap();
            assert_eq!(checkout.reused, round > 0, "round {round}");
            let request = http::Request::get("/")
                .body(Empty::new().map_err(|never| match never {}).boxed())
                .unwrap();
            let answer = checkout.sender.send_request(request).await.unwrap();
            let check_in = CheckIn::new(pool.clone(), checkout.sender);
            let body = answer.into_body().collect().await.unwrap().to_bytes();
            assert_eq!(body, "ok");
            drop(check_in);
            // A check-in that must wait for the connection does so in a task.
            tokio::task::yield_now().await;
        }
        assert_eq!(
            opened.load(Ordering::SeqCst),
            1,
            "one connection for three requests"
        );
        upstream.stop().await;
    }
}
