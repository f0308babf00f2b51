//! The HTTPS listener: a TLS handshake, then HTTP/2 or HTTP/1.1.
//!
//! The same three steps as every server here (`serverkit`'s accept loop:
//! bind, accept and serve, stop gracefully), with two more on each
//! connection:
//!
//! 1. **The handshake.** rustls reads the client's hello, asks the
//!    [`CertStore`](super::CertStore) for the certificate of the name the
//!    client sent (SNI), proves it owns that certificate's key, and agrees
//!    on keys. From then on every byte is encrypted. A client that never
//!    finishes its handshake is cut off after [`HANDSHAKE_TIMEOUT`].
//! 2. **The protocol.** In the same hello the client listed the protocols it
//!    speaks (ALPN): a browser says `h2, http/1.1`. We answer `h2` when it
//!    offers it, so browsers get HTTP/2: many requests at once over one
//!    connection. curl without `--http2` and older clients get HTTP/1.1. The
//!    request handler is the same for both; only the framing differs.
//!
//! Behind us nothing changes: the forwarder still speaks HTTP/1.1 to the
//! application, in plain text, on loopback. The application never sees TLS.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use hyper::body::{Body, Incoming};
use hyper::service::Service;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use rustls::ServerConfig;
use tokio::net::TcpListener;
use tokio::sync::{oneshot, Semaphore};
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

use super::CertStore;
use crate::limits;

/// How long a client may take to finish its TLS handshake. A real one takes
/// a round trip or two; one that stalls must not hold a connection forever.
pub const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// How long a client may take to send a request's headers (HTTP/1.1), as on
/// the plain HTTP listener.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The TLS settings every connection gets: TLS 1.3 and 1.2 only (1.0 and
/// 1.1 are broken and every browser has dropped them), the certificate by
/// SNI from `store`, and ALPN offering HTTP/2 first.
pub fn server_config(store: Arc<CertStore>) -> Result<Arc<ServerConfig>, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_no_client_auth()
        .with_cert_resolver(store);
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// The HTTPS server running in the background.
#[derive(Debug)]
pub struct HttpsRunning {
    local_addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl HttpsRunning {
    /// Where it listens (the real port, also when bound to port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Stops accepting, lets requests in flight finish (for up to
    /// `serverkit::GRACE_PERIOD`), then returns.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        if let Err(error) = self.task.await {
            if error.is_panic() {
                std::panic::resume_unwind(error.into_panic());
            }
        }
    }
}

/// Serves HTTPS on `listener`; `make_service` answers each connection's
/// requests, as for `serverkit::Server::start`.
pub fn serve<M, S, B>(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    make_service: M,
) -> io::Result<HttpsRunning>
where
    M: Fn(SocketAddr) -> S + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<B>> + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let local_addr = listener.local_addr()?;
    let (stop, stop_requested) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, tls, make_service, stop_requested));
    Ok(HttpsRunning {
        local_addr,
        stop,
        task,
    })
}

/// HTTP/2 and HTTP/1.1 with the same limits as the plain listener.
fn http_settings() -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(limits::MAX_REQUEST_HEAD);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_header_list_size(limits::MAX_REQUEST_HEAD as u32);
    builder
}

async fn accept_loop<M, S, B>(
    listener: TcpListener,
    tls: Arc<ServerConfig>,
    make_service: M,
    mut stop: oneshot::Receiver<()>,
) where
    M: Fn(SocketAddr) -> S + Send + 'static,
    S: Service<Request<Incoming>, Response = Response<B>> + Send + Sync + 'static,
    S::Future: Send + 'static,
    S::Error: Into<BoxError>,
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: Into<BoxError>,
{
    let acceptor = TlsAcceptor::from(tls);
    let http = Arc::new(http_settings());
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(limits::MAX_CONNECTIONS));
    let mut connections = JoinSet::new();
    loop {
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => slot,
            _ = &mut stop => break,
        };
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let service = make_service(peer);
                    let watcher = graceful.watcher();
                    let (acceptor, http) = (acceptor.clone(), http.clone());
                    connections.spawn(async move {
                        let _slot = slot;
                        let handshake = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream));
                        let stream = match handshake.await {
                            Ok(Ok(stream)) => stream,
                            Ok(Err(error)) => {
                                tracing::debug!(%peer, "TLS handshake failed: {error}");
                                return;
                            }
                            Err(_) => {
                                tracing::debug!(%peer, "TLS handshake timed out");
                                return;
                            }
                        };
                        let connection = http.serve_connection_with_upgrades(TokioIo::new(stream), service);
                        if let Err(error) = watcher.watch(connection).await {
                            tracing::debug!(%peer, "connection ended with an error: {error}");
                        }
                    });
                }
                Err(error) => {
                    tracing::warn!("accept failed: {error}; retrying in {:?}", serverkit::ACCEPT_BACKOFF);
                    tokio::time::sleep(serverkit::ACCEPT_BACKOFF).await;
                }
            },
            Some(_) = connections.join_next() => {}
            _ = &mut stop => break,
        }
    }
    // The same graceful stop as serverkit's: close the port, let every
    // connection finish its request in flight, cut off what overstays.
    drop(listener);
    if tokio::time::timeout(serverkit::GRACE_PERIOD, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("grace period is over; cutting off HTTPS connections");
    }
    connections.abort_all();
    while connections.join_next().await.is_some() {}
}
