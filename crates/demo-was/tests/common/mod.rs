//! Helpers shared by the integration tests: start a server on a free port,
//! and send it real HTTP over loopback through hyper's own client.

#![allow(dead_code)] // each test file uses a different subset

use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use testkit::wait::within;

/// Start a server on 127.0.0.1 with an OS-chosen port.
pub async fn start(profile: &str) -> demo_was::Running {
    start_with(profile, env!("CARGO_PKG_VERSION")).await
}

pub async fn start_with(profile: &str, version: &str) -> demo_was::Running {
    demo_was::start(demo_was::Options {
        version: version.to_string(),
        ..demo_was::Options::on_free_port(profile)
    })
    .await
    .expect("demo-was should start on a free port")
}

/// A complete answer: status, headers and the whole body.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.clone()).expect("body should be UTF-8")
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .unwrap_or_else(|| panic!("response has no {name} header: {:?}", self.headers))
            .to_str()
            .unwrap()
    }
}

/// GET `path`, on a fresh connection.
pub async fn get(addr: SocketAddr, path: &str) -> Reply {
    send(addr, Method::GET, path, &[]).await
}

/// Send one request with extra headers (raw bytes allowed) on a fresh
/// connection, and read the whole answer.
pub async fn send(
    addr: SocketAddr,
    method: Method,
    path: &str,
    headers: &[(&str, &[u8])],
) -> Reply {
    let mut sender = connect(addr).await;
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string());
    for (name, value) in headers {
        request = request.header(*name, HeaderValue::from_bytes(value).unwrap());
    }
    let request = request.body(Empty::<Bytes>::new()).unwrap();
    let response = within("the response", sender.send_request(request))
        .await
        .expect("request should succeed");
    read_all(response).await
}

/// Open an HTTP/1.1 client connection. The connection is driven by a
/// background task, which ends when the server closes the connection.
pub async fn connect(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    connect_with_task(addr).await.0
}

/// Like [`connect`], and also returns the task driving the connection: it
/// finishes when the connection closes.
pub async fn connect_with_task(
    addr: SocketAddr,
) -> (
    hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    tokio::task::JoinHandle<()>,
) {
    let stream = within("connect", TcpStream::connect(addr))
        .await
        .expect("connect to demo-was");
    let (sender, connection) = within(
        "handshake",
        hyper::client::conn::http1::handshake(TokioIo::new(stream)),
    )
    .await
    .expect("HTTP handshake");
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    (sender, task)
}

pub fn request(addr: SocketAddr, method: Method, path: &str) -> Request<Empty<Bytes>> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("host", addr.to_string())
        .body(Empty::new())
        .unwrap()
}

pub async fn read_all(response: hyper::Response<Incoming>) -> Reply {
    let (parts, body) = response.into_parts();
    let body = within("the body", body.collect())
        .await
        .expect("body should arrive complete")
        .to_bytes()
        .to_vec();
    Reply {
        status: parts.status,
        headers: parts.headers,
        body,
    }
}
