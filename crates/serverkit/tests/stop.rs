//! The graceful stop, driven over real TCP against a server whose handler
//! the test controls: it can hold a request open until told, never answer,
//! or panic.

use std::convert::Infallible;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use serverkit::{Running, Server};
use testkit::http as rawhttp;
use testkit::wait::{refuses_connections, wait_until, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;

/// What the test handler signals and waits for.
#[derive(Default)]
struct Gates {
    /// Notified when a request to `/held` or `/forever` has reached the handler.
    started: Notify,
    /// `/held` answers once this is notified.
    release: Notify,
    /// Notified when a `/forever` handler is dropped (cut off).
    dropped: Notify,
}

/// Notifies `dropped` when the handler future holding it is dropped.
struct DropSignal(Arc<Gates>);

impl Drop for DropSignal {
    fn drop(&mut self) {
        self.0.dropped.notify_one();
    }
}

async fn handler(gates: Arc<Gates>, request: Request<Incoming>) -> Response<Full<Bytes>> {
    let body = match request.uri().path() {
        "/held" => {
            gates.started.notify_one();
            gates.release.notified().await;
            "held, then answered"
        }
        "/forever" => {
            let _signal = DropSignal(gates.clone());
            gates.started.notify_one();
            std::future::pending::<()>().await;
            unreachable!("pending() never completes")
        }
        "/panic" => panic!("handler bug 42"),
        _ => "ok",
    };
    Response::new(Full::new(Bytes::from(body)))
}

async fn start(grace: Duration) -> (Running, Arc<Gates>) {
    let gates = Arc::new(Gates::default());
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let for_server = gates.clone();
    let running = Server::new(listener)
        .grace(grace)
        .start(move |_peer: SocketAddr| {
            let gates = for_server.clone();
            service_fn(move |request| {
                let gates = gates.clone();
                async move { Ok::<_, Infallible>(handler(gates, request).await) }
            })
        })
        .unwrap();
    (running, gates)
}

/// Long enough that a stop which waited for it would time the test out:
/// returning within testkit's deadline proves it did not wait.
const NEVER: Duration = Duration::from_secs(3600);

#[tokio::test]
async fn stop_lets_an_in_flight_request_finish() {
    let (running, gates) = start(NEVER).await;
    let addr = running.local_addr();
    let client = tokio::spawn(rawhttp::get(addr, "/held"));
    within("the request to reach the handler", gates.started.notified()).await;

    let stopping = tokio::spawn(running.stop());
    // The listener closes first: new clients are turned away...
    wait_until("the port refuses new connections", || {
        refuses_connections(addr)
    })
    .await;
    assert!(
        !stopping.is_finished(),
        "stop() returned while a request was still in flight"
    );

    // ...and the request in flight still gets its whole answer.
    gates.release.notify_one();
    let answer = within("the held answer", client)
        .await
        .unwrap()
        .expect("the in-flight request must not be cut off");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.text(), "held, then answered");
    within("stop() once the request is done", stopping)
        .await
        .unwrap();
}

#[tokio::test]
async fn stop_with_an_idle_keep_alive_connection_returns_promptly() {
    let (running, _gates) = start(NEVER).await;
    let addr = running.local_addr();

    // One request without `Connection: close`: HTTP/1.1 keeps the
    // connection open afterwards, idle, waiting for the next one.
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    while !received.ends_with(b"\r\n\r\nok") {
        let mut chunk = [0; 1024];
        let n = within("the answer", stream.read(&mut chunk)).await.unwrap();
        assert!(n > 0, "closed before answering: {received:?}");
        received.extend_from_slice(&chunk[..n]);
    }

    // The grace period is an hour: returning within the test's deadline
    // means stop() closed the idle connection instead of waiting on it.
    within("stop() with an idle connection open", running.stop()).await;
    let n = within(
        "the server to close the idle connection",
        stream.read(&mut [0; 64]),
    )
    .await
    .unwrap_or(0);
    assert_eq!(n, 0, "the idle connection is closed (end of stream)");
}

#[tokio::test]
async fn a_connection_that_outlives_the_grace_is_aborted() {
    let (running, gates) = start(Duration::from_millis(50)).await;
    let addr = running.local_addr();
    let client = tokio::spawn(rawhttp::get(addr, "/forever"));
    within("the request to reach the handler", gates.started.notified()).await;

    within("stop() after a 50 ms grace", running.stop()).await;
    within(
        "the never-ending handler to be dropped",
        gates.dropped.notified(),
    )
    .await;
    let answer = within("the client to see the end", client).await.unwrap();
    assert!(
        answer.is_err(),
        "an aborted connection closes without an answer: {answer:?}"
    );
}

/// A `tracing` writer into a buffer the test can read.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

// The default (current-thread) runtime runs every task on this thread, so
// the thread's log subscriber sees the server's events.
#[tokio::test]
async fn a_panicking_connection_task_is_logged_not_swallowed() {
    let log = Captured::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let (running, _gates) = start(NEVER).await;
    let addr = running.local_addr();
    let answer = rawhttp::get(addr, "/panic").await;
    assert!(
        answer.is_err(),
        "a panicked handler sends nothing: {answer:?}"
    );
    wait_until("the panic is logged", || {
        let text = log.text();
        async move { text.contains("a connection task panicked: handler bug 42") }
    })
    .await;
    assert!(log.text().contains("ERROR"), "{}", log.text());

    // One broken handler does not take the server down.
    let answer = rawhttp::get(addr, "/").await.unwrap();
    assert_eq!(answer.text(), "ok");
    running.stop().await;
}

#[tokio::test]
async fn stop_resumes_a_panic_of_the_accept_loop() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = Server::new(listener)
        .start(|peer: SocketAddr| {
            // A bug in the accept loop's own code: building the service
            // panics. (A client's port is never 0, so this always does.)
            if peer.port() != 0 {
                panic!("make_service bug 7");
            }
            service_fn(|_request: Request<Incoming>| async {
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
            })
        })
        .unwrap();
    let addr = running.local_addr();
    // Connecting makes the loop call make_service, which panics.
    let _ = TcpStream::connect(addr).await;
    let stopped = within("stop()", tokio::spawn(running.stop())).await;
    let panic = stopped.expect_err("stop() must not swallow the loop's panic");
    assert!(panic.is_panic(), "{panic}");
    let payload = panic.into_panic();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"make_service bug 7"));
}
