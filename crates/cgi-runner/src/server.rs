//! `cgi-runner` as a server of its own: every request is a CGI request.
//!
//! The accept loop and the graceful stop are serverkit's, shared with
//! miniproxy and demo-was; what is CGI's is the handler ([`Cgi::handle`]).

use std::convert::Infallible;
use std::net::SocketAddr;
use std::time::Duration;

use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::handler::{Cgi, Connection};

/// A running CGI server.
#[derive(Debug)]
pub struct Running {
    server: serverkit::Running,
}

impl Running {
    /// Where it listens (the real port when started on port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.server.local_addr()
    }

    /// Stops gracefully: no new connections, requests in flight finish.
    pub async fn stop(self) {
        self.server.stop().await;
    }
}

// ANCHOR: start
/// Listens on `listen` and answers every request with `cgi`.
pub async fn start(listen: SocketAddr, cgi: Cgi) -> std::io::Result<Running> {
    let listener = TcpListener::bind(listen).await?;
    let local = listener.local_addr()?;
    let server = serverkit::Server::new(listener)
        .http1(|http| {
            // A client gets this long to send its request head; a slow
            // or silent client must not hold a connection forever.
            http.header_read_timeout(Duration::from_secs(30));
        })
        .start(move |peer| {
            let cgi = cgi.clone();
            let connection = Connection { local, peer };
            service_fn(move |request| {
                let cgi = cgi.clone();
                async move { Ok::<_, Infallible>(cgi.handle(request, connection).await) }
            })
        })?;
    Ok(Running { server })
}
// ANCHOR_END: start
