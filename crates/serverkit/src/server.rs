//! The accept loop and the graceful stop.
//!
//! The life of a server has three parts:
//!
//! 1. **Bind.** Ask the operating system for the address and port. That is
//!    the step that fails when another program holds the port, so the caller
//!    does it (`TcpListener::bind`) and learns about a busy port at once.
//! 2. **Accept and serve.** Loop: take the next TCP connection and hand it to
//!    a task of its own, where hyper reads HTTP requests from it and writes
//!    the answers back. One slow client never holds up the others.
//! 3. **Stop gracefully.** Close the listening socket first, so new clients
//!    are turned away at once; then let requests already in flight finish
//!    while idle keep-alive connections close right away; then, once the
//!    grace period is over, cut off whatever is left. Only then is it safe to
//!    end the process: no client sees a request cut off unless it overstayed.
//!    This is what a zero-downtime deploy relies on.

use std::error::Error as StdError;
use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::server::conn::http1;
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{oneshot, watch, OwnedSemaphorePermit, Semaphore};
use tokio::task::{JoinError, JoinHandle, JoinSet};

use crate::balance::{Client, Handed, Team};
use crate::descriptors::{out_of_descriptors, refuse, Reserve};

/// How long a stop waits for requests in flight before it cuts the
/// remaining connections off, unless [`Server::grace`] says otherwise.
///
/// Waiting forever would let one stuck client block a deploy; not waiting at
/// all would cut off every request in flight. 30 seconds is Spring Boot's
/// default for the same choice (`spring.lifecycle.timeout-per-shutdown-phase`)
/// and longer than any request this workbook's servers answer. Whatever
/// stops the server must be willing to wait at least this long before it
/// kills the process: systemd waits 90 s (`TimeoutStopSec`), but
/// `docker stop` only 10 s unless given `--time`.
pub const GRACE_PERIOD: Duration = Duration::from_secs(30);

/// How long the accept loop pauses after a failed `accept`.
///
/// The usual failure is "too many open files" (EMFILE): every file
/// descriptor is in use, and it stays so until some connection closes.
/// The first such client gets a `503` through the reserve descriptor (see
/// `descriptors.rs`); while that one is still in use, retrying at once would spin a CPU core at 100 % and make nothing better;
/// it is a limit to wait out, not a reason to stop serving.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The errors hyper accepts from a service or a body: any error that can
/// cross threads.
type BoxError = Box<dyn StdError + Send + Sync>;

/// What a server hands over for each connection: a hyper service that
/// answers HTTP requests and can move to another thread (tokio runs each
/// connection's task wherever a thread is free). Any
/// `hyper::service::service_fn(…)` returning `Response<Body>` qualifies;
/// nothing implements this by hand.
pub trait ConnectionService:
    Service<
        Request<Incoming>,
        Response = Response<Self::ResponseBody>,
        Future: Send + 'static,
        Error: Into<BoxError>,
    > + Send
    + 'static
{
    /// The type of the answers' bodies.
    type ResponseBody: Body<Data: Send, Error: Into<BoxError>> + Send + 'static;
}

impl<S, B> ConnectionService for S
where
    S: Service<
            Request<Incoming>,
            Response = Response<B>,
            Future: Send + 'static,
            Error: Into<BoxError>,
        > + Send
        + 'static,
    B: Body<Data: Send, Error: Into<BoxError>> + Send + 'static,
{
    type ResponseBody = B;
}

/// A server about to start: a bound listener, HTTP/1 settings, a grace
/// period, an optional cap on connections, and how many worker threads.
pub struct Server {
    listener: TcpListener,
    http: http1::Builder,
    grace: Duration,
    max_connections: Option<usize>,
    workers: usize,
}

impl Server {
    /// A server on `listener`, with hyper's HTTP/1 defaults and
    /// [`GRACE_PERIOD`].
    pub fn new(listener: TcpListener) -> Server {
        let mut http = http1::Builder::new();
        // hyper's timeouts need a clock to measure them with; tokio's it is.
        http.timer(TokioTimer::new());
        Server {
            listener,
            http,
            grace: GRACE_PERIOD,
            max_connections: None,
            workers: 1,
        }
    }

    /// Adjusts the HTTP/1 settings every connection is served with, e.g.
    /// `http.header_read_timeout(…)`. Each server has its own reasons for
    /// its timeouts, so they are chosen there, not here.
    pub fn http1(mut self, configure: impl FnOnce(&mut http1::Builder)) -> Server {
        configure(&mut self.http);
        self
    }

    /// How long [`Running::stop`] waits for requests in flight; tests use a
    /// short one, servers keep [`GRACE_PERIOD`].
    pub fn grace(mut self, grace: Duration) -> Server {
        self.grace = grace;
        self
    }

    /// Serves at most `limit` connections at once; without it, there is no
    /// cap but the open-files limit.
    ///
    /// Each connection costs memory (hyper's read buffer, the request being
    /// parsed) and a file descriptor, so an unbounded number of clients can
    /// exhaust either. At the cap the server simply stops *accepting*: a
    /// further client's connection waits in the kernel's listen queue (the
    /// backlog) and is taken as soon as another connection closes. Slow for
    /// that client, but nobody is refused and nothing runs out. nginx's
    /// equivalent is `worker_connections`.
    pub fn max_connections(mut self, limit: usize) -> Server {
        self.max_connections = Some(limit);
        self
    }

    /// Accepts and serves on `n` threads of their own, each with its own
    /// event loop, instead of on the caller's runtime (the default, one).
    ///
    /// nginx's `worker_processes auto` is the model: one worker per core,
    /// each taking connections from the same listening socket and serving
    /// them to the end by itself. A connection never moves between threads
    /// once it is served (a worker well ahead of another hands a new client
    /// over before serving it: `balance.rs`), so serving it never wakes
    /// another thread: on a busy server those wake-ups (a futex call and a
    /// context switch each) cost more than the HTTP work. tokio's default
    /// runtime shares all tasks among its threads, which balances uneven
    /// work but pays for it on every hop.
    pub fn workers(mut self, n: usize) -> Server {
        self.workers = n.max(1);
        self
    }

    /// Starts the accept loop in the background and returns at once.
    ///
    /// `make_service` is called once per connection with the client's
    /// address (behind a proxy, that is the proxy's address) and returns
    /// the hyper service that answers that connection's requests.
    ///
    /// Must be called inside a tokio runtime. The server runs until
    /// [`Running::stop`], or until the [`Running`] is dropped, which starts
    /// the same graceful stop without waiting for it.
    pub fn start<M, S>(self, make_service: M) -> io::Result<Running>
    where
        M: FnMut(SocketAddr) -> S + Clone + Send + 'static,
        S: ConnectionService,
    {
        // With port 0 the OS chose the port; ask the socket which one it was.
        let local_addr = self.listener.local_addr()?;
        let Server {
            listener,
            http,
            grace,
            max_connections,
            workers,
        } = self;
        // One permit per connection, shared by every worker: the cap is the
        // server's, not each thread's.
        let slots = max_connections.map(|limit| Arc::new(Semaphore::new(limit)));
        // An accept loop, given what differs from one worker to the next.
        let accept_loop = move |listener, make_service, stop_requested, team| {
            serve(
                listener,
                http.clone(),
                grace,
                slots.clone(),
                make_service,
                stop_requested,
                team,
            )
        };
        let mut stops = Vec::new();
        let mut ends = Vec::new();
        if workers == 1 {
            let (stop, stop_requested) = oneshot::channel();
            let loop_ = accept_loop(listener, make_service, stop_requested, None);
            stops.push(stop);
            ends.push(Ended::Task(tokio::spawn(loop_)));
        } else {
            // Every worker accepts on a copy of the same socket (`dup`):
            // the kernel hands each new connection to one of them. Not a
            // socket each (`SO_REUSEPORT`), though that spreads clients
            // more evenly: the kernel then ties each waiting client to one
            // worker, and when descriptors run out, the worker whose spare
            // another worker's `accept` just took can never take its
            // client, not even to answer 503 (`descriptors.rs`). Tried and
            // measured: the limits test hung in 8 runs of 48 under load.
            let listener = listener.into_std()?;
            // ... and hands clients on to even out the load (`balance.rs`).
            for (index, team) in Team::of(workers).into_iter().enumerate() {
                let listener = listener.try_clone()?;
                let (stop, stop_requested) = oneshot::channel();
                let (accept_loop, make_service) = (accept_loop.clone(), make_service.clone());
                let thread = std::thread::Builder::new()
                    .name(format!("worker-{index}"))
                    .spawn(move || {
                        WORKER.with(|worker| worker.set(index));
                        let runtime = tokio::runtime::Builder::new_current_thread()
                            .enable_all()
                            .build()
                            .expect("a worker's event loop");
                        runtime.block_on(async move {
                            // Registered with this thread's event loop.
                            match TcpListener::from_std(listener) {
                                Ok(listener) => {
                                    accept_loop(listener, make_service, stop_requested, Some(team))
                                        .await
                                }
                                Err(error) => {
                                    tracing::error!("worker {index} cannot listen: {error}")
                                }
                            }
                        });
                    })?;
                stops.push(stop);
                ends.push(Ended::Thread(thread));
            }
        }
        Ok(Running {
            local_addr,
            stops,
            ends,
        })
    }
}

thread_local! {
    /// Which worker thread this is (see [`Server::workers`]).
    static WORKER: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// The worker thread the caller runs on, from 0; 0 outside worker threads
/// too (a server with one worker serves on the caller's runtime).
///
/// What a connection sets up for later, such as an idle connection to an
/// upstream kept for reuse, is best reused on the same worker: its task
/// lives on that worker's event loop, and using it from another thread
/// would wake that thread for every request.
pub fn current_worker() -> usize {
    WORKER.with(std::cell::Cell::get)
}

/// How to wait for one accept loop to finish.
#[derive(Debug)]
enum Ended {
    /// A task on the caller's runtime.
    Task(JoinHandle<()>),
    /// A worker thread with its own event loop.
    Thread(std::thread::JoinHandle<()>),
}

/// A server started by [`Server::start`]: where it listens, and the way to
/// stop it.
#[derive(Debug)]
pub struct Running {
    local_addr: SocketAddr,
    /// Sending on (or dropping) these tells the accept loops to stop.
    stops: Vec<oneshot::Sender<()>>,
    ends: Vec<Ended>,
}

impl Running {
    /// The address the server listens on, with the real port even when it
    /// was bound to port 0.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops gracefully and returns once it is done: the port is closed to
    /// new connections at once, requests in flight finish (for up to the
    /// grace period), idle keep-alive connections close, and whatever is
    /// left after the grace period is cut off.
    ///
    /// A panic of the accept loop itself (a bug in the server) is resumed
    /// here, so the caller, often a test, fails loudly instead of never
    /// hearing of it.
    pub async fn stop(self) {
        let Running { stops, ends, .. } = self;
        // A loop is only ever gone already if it panicked; then there is
        // nobody to tell, and the join below reports the panic.
        for stop in stops {
            let _ = stop.send(());
        }
        for ended in ends {
            let panic = match ended {
                Ended::Task(task) => task
                    .await
                    .err()
                    .filter(JoinError::is_panic)
                    .map(JoinError::into_panic),
                Ended::Thread(thread) => tokio::task::spawn_blocking(move || thread.join())
                    .await
                    .ok()
                    .and_then(Result::err),
            };
            if let Some(panic) = panic {
                std::panic::resume_unwind(panic);
            }
        }
    }
}

/// The accept loop, then the graceful stop. Runs as one task.
// ANCHOR: serve
async fn serve<M, S>(
    listener: TcpListener,
    http: http1::Builder,
    grace: Duration,
    // One permit per connection: the loop takes one *before* accepting, and
    // the connection's task gives it back when it ends.
    slots: Option<Arc<Semaphore>>,
    mut make_service: M,
    mut stop: oneshot::Receiver<()>,
    // The other workers, when there are several.
    mut team: Option<Team>,
) where
    M: FnMut(SocketAddr) -> S + Send + 'static,
    S: ConnectionService,
{
    let mut reserve = Reserve::new();
    // Every connection watches this flag; when it turns true, each one
    // finishes the request it is answering and closes (idle ones at once).
    let (stopping, stop_watch) = watch::channel(false);
    // The connection tasks. Keeping them lets us hear how each one ended
    // (a panic is a bug to report) and cut off the ones that overstay.
    let mut connections = JoinSet::new();

    // Starts serving one client in a task of its own.
    let mut serve_client = |connections: &mut JoinSet<()>, (stream, peer, slot): Client| {
        let service = make_service(peer);
        let connection = serve_connection(stream, peer, &http, service, stop_watch.clone());
        connections.spawn(async move {
            connection.await;
            drop(slot);
        });
    };

    loop {
        reserve.refill();
        if let Some(team) = &team {
            team.serving(connections.len());
        }
        tokio::select! {
            (accepted, slot) = accept(&listener, slots.as_ref()) => match accepted {
                Ok((stream, peer)) => {
                    let ours = match &team {
                        Some(team) => team.share((stream, peer, slot)),
                        None => Some((stream, peer, slot)),
                    };
                    if let Some(client) = ours {
                        serve_client(&mut connections, client);
                    }
                }
                Err(error) if out_of_descriptors(&error) && reserve.release() => {
                    // The spare descriptor is closed: exactly one is free,
                    // for the client waiting at the head of the queue.
                    match accept_now(&listener) {
                        Some((stream, peer)) => {
                            tracing::warn!(%peer, "out of file descriptors: answering 503");
                            connections.spawn(refuse(stream));
                        }
                        None => tokio::time::sleep(ACCEPT_BACKOFF).await,
                    }
                }
                Err(error) => {
                    tracing::warn!("accept failed: {error}; retrying in {ACCEPT_BACKOFF:?}");
                    tokio::time::sleep(ACCEPT_BACKOFF).await;
                }
            },
            // A client another worker handed over.
            Some((stream, peer, slot)) = handed(&mut team) => match TcpStream::from_std(stream) {
                Ok(stream) => serve_client(&mut connections, (stream, peer, slot)),
                Err(error) => tracing::warn!(%peer, "cannot take over a connection: {error}"),
            },
            // A connection task ended: forget it (so the set does not grow
            // forever), and report it if it panicked.
            Some(ended) = connections.join_next() => report(ended),
            // `stop()` was called, or the `Running` was dropped.
            _ = &mut stop => break,
        }
    }

    // Step 1: stop accepting. Closing the listening socket makes new
    // connection attempts fail at once ("connection refused"), which tells a
    // proxy to try another upstream instead of waiting on us.
    drop(listener);

    // Step 2: finish what is in flight. Each connection finishes its current
    // request and then closes; idle ones close right away.
    let _ = stopping.send(true);
    let all_done = async {
        while let Some(ended) = connections.join_next().await {
            report(ended);
        }
    };
    if tokio::time::timeout(grace, all_done).await.is_err() {
        tracing::warn!(
            "grace period of {grace:?} is over; cutting off {} connection(s)",
            connections.len()
        );
    }

    // Step 3: whatever is left is aborted, and every ending is reported.
    connections.abort_all();
    while let Some(ended) = connections.join_next().await {
        report(ended);
    }
}
// ANCHOR_END: serve

/// Waits for a free slot (if connections are capped), then for a client.
///
/// While all slots are taken this does not call `accept` at all, which is
/// the point: new clients queue in the kernel, costing us nothing.
async fn accept(
    listener: &TcpListener,
    slots: Option<&Arc<Semaphore>>,
) -> (
    io::Result<(TcpStream, SocketAddr)>,
    Option<OwnedSemaphorePermit>,
) {
    let slot = match slots {
        // The semaphore is never closed, so acquiring cannot fail.
        Some(slots) => slots.clone().acquire_owned().await.ok(),
        None => None,
    };
    (listener.accept().await, slot)
}

/// The next client another worker hands over; never, for a lone worker.
async fn handed(team: &mut Option<Team>) -> Option<Handed> {
    match team {
        Some(team) => team.inbox.recv().await,
        None => std::future::pending().await,
    }
}

/// Accepts a client that is already waiting, without waiting for one.
fn accept_now(listener: &TcpListener) -> Option<(TcpStream, SocketAddr)> {
    let waker = std::task::Waker::noop();
    match listener.poll_accept(&mut std::task::Context::from_waker(waker)) {
        Poll::Ready(Ok(accepted)) => Some(accepted),
        _ => None,
    }
}

/// Serve HTTP/1.1 on one TCP connection, until the client closes it, it
/// sits idle too long, or a graceful stop asks it to finish.
///
/// HTTP/1.1 is what proxies speak to the application behind them (nginx's
/// `proxy_http_version 1.1`), and what this workbook's front server speaks.
// ANCHOR: serve_connection
fn serve_connection<S: ConnectionService>(
    stream: TcpStream,
    peer: SocketAddr,
    http: &http1::Builder,
    service: S,
    mut stopping: watch::Receiver<bool>,
) -> impl Future<Output = ()> + Send + 'static {
    // Send small answers at once instead of letting the kernel wait to batch
    // them (Nagle's algorithm): a streamed body's pieces arrive when written.
    let _ = stream.set_nodelay(true);
    // `with_upgrades`: a request may switch the connection to another
    // protocol (a WebSocket through a proxy), and then the connection is
    // handed over instead of closed.
    let connection = http
        .serve_connection(TokioIo::new(stream), service)
        .with_upgrades();
    async move {
        tokio::pin!(connection);
        let ended = tokio::select! {
            // In this order, every time this task wakes (once or twice per
            // request): the connection is what usually has work, and a
            // fixed order spares a random pick per wake.
            biased;
            ended = connection.as_mut() => ended,
            // A stop: finish the request in flight (an idle connection has
            // none and closes at once), then end.
            // (The guard `wait_for` returns is dropped at once: it must not
            // be held across the awaits below.)
            _ = async { stopping.wait_for(|stop| *stop).await.map(|_| ()) } => {
                connection.as_mut().graceful_shutdown();
                connection.await
            }
        };
        // A client that resets its connection is an everyday event, not a
        // server problem: log it quietly.
        if let Err(error) = ended {
            tracing::debug!(%peer, "connection ended with an error: {error}");
        }
    }
}
// ANCHOR_END: serve_connection

/// Says how a connection task ended, if that is news: a panic is a bug in
/// the server's handler, and must reach the log rather than vanish with its
/// task. A task we aborted after the grace period is expected, and quiet.
fn report(ended: Result<(), JoinError>) {
    if let Err(error) = ended {
        if error.is_panic() {
            let message = guarded::panic_message(&*error.into_panic());
            tracing::error!("a connection task panicked: {message}");
        }
    }
}
