//! Waiting in async tests: for a future with a deadline, for a condition by
//! polling, for a port to close.
//!
//! A test never sleeps a fixed time and then asserts: on a slow machine the
//! sleep is too short (a flaky failure), on a fast one it is wasted. It
//! waits for the condition itself, and gives up only after a deadline long
//! enough to mean "this is never going to happen".

use std::future::Future;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::TcpStream;

/// How long any one wait may take before the test fails instead of hanging.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Awaits `future`, failing the test if it takes longer than [`DEADLINE`].
/// `what` names what was awaited, for the failure message.
pub async fn within<T>(what: &str, future: impl Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, future)
        .await
        .unwrap_or_else(|_| panic!("timed out after {DEADLINE:?} waiting for {what}"))
}

/// Polls `check` until it returns true, failing the test after [`DEADLINE`].
pub async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < DEADLINE,
            "timed out after {DEADLINE:?} waiting until {what}"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

/// True if a new TCP connection to `addr` is refused: nobody listens there.
pub async fn refuses_connections(addr: SocketAddr) -> bool {
    match TcpStream::connect(addr).await {
        Ok(_) => false,
        Err(error) => error.kind() == std::io::ErrorKind::ConnectionRefused,
    }
}
