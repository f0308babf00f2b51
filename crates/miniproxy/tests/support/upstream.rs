//! A small upstream for the proxy tests, with the misbehaviours real
//! application servers have and demo-was (a well-behaved one) does not:
//! a health check that can be switched to failing, a request that is held
//! until the test lets it go, an answer that stalls half-way, an upload
//! counter, a WebSocket echo, and a `101` nobody asked for.

#![allow(dead_code)] // each test file uses a different part of it

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

type Body = http_body_util::combinators::BoxBody<Bytes, Infallible>;

/// What a test can see and steer of a running test upstream.
#[derive(Debug)]
pub struct Controls {
    pub name: String,
    /// `/health` answers 503 while this is false.
    pub healthy: AtomicBool,
    /// Requests answered (any path but `/health`).
    pub requests: AtomicUsize,
    /// `/hold` waits for a permit here.
    pub gate: Semaphore,
}

pub struct TestUpstream {
    pub controls: Arc<Controls>,
    running: serverkit::Running,
}

impl TestUpstream {
    pub async fn start(name: &str) -> TestUpstream {
        TestUpstream::start_on("127.0.0.1:0".parse().unwrap(), name).await
    }

    pub async fn start_on(addr: SocketAddr, name: &str) -> TestUpstream {
        let controls = Arc::new(Controls {
            name: name.to_string(),
            healthy: AtomicBool::new(true),
            requests: AtomicUsize::new(0),
            gate: Semaphore::new(0),
        });
        let listener = TcpListener::bind(addr).await.unwrap();
        let shared = controls.clone();
        let running = serverkit::Server::new(listener)
            .grace(Duration::from_millis(100))
            .start(move |_peer| {
                let controls = shared.clone();
                service_fn(move |request| answer(controls.clone(), request))
            })
            .unwrap();
        TestUpstream { controls, running }
    }

    pub fn addr(&self) -> SocketAddr {
        self.running.local_addr()
    }

    pub fn requests(&self) -> usize {
        self.controls.requests.load(Ordering::SeqCst)
    }

    pub async fn stop(self) {
        self.running.stop().await;
    }
}

async fn answer(
    controls: Arc<Controls>,
    mut request: Request<Incoming>,
) -> Result<Response<Body>, Infallible> {
    let path = request.uri().path().to_string();
    if path == "/health" {
        let ok = controls.healthy.load(Ordering::SeqCst);
        let status = if ok {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        return Ok(reply(status, &controls.name, "health"));
    }
    controls.requests.fetch_add(1, Ordering::SeqCst);
    Ok(match path.as_str() {
        "/hold" => {
            // Held in flight until the test adds a permit.
            let _permit = controls.gate.acquire().await.unwrap();
            reply(StatusCode::OK, &controls.name, "released")
        }
        "/upload" => {
            let body = request.into_body().collect().await;
            match body {
                Ok(body) => reply(
                    StatusCode::OK,
                    &controls.name,
                    &body.to_bytes().len().to_string(),
                ),
                Err(_) => reply(StatusCode::BAD_REQUEST, &controls.name, "broken body"),
            }
        }
        "/headers" => {
            let mut lines: Vec<String> = request
                .headers()
                .iter()
                .map(|(k, v)| format!("{k}: {}", String::from_utf8_lossy(v.as_bytes())))
                .collect();
            lines.sort();
            reply(StatusCode::OK, &controls.name, &lines.join("\n"))
        }
        "/stall" => {
            // Promises 100 bytes, sends 10, then goes silent for good.
            let first = futures_util::stream::iter([Ok::<_, Infallible>(Frame::data(
                Bytes::from_static(b"0123456789"),
            ))]);
            let silent = futures_util::stream::pending();
            let body = StreamBody::new(futures_util::StreamExt::chain(first, silent));
            Response::builder()
                .header(header::CONTENT_LENGTH, "100")
                .header("x-upstream", controls.name.as_str())
                .body(body.boxed())
                .unwrap()
        }
        "/ws" => {
            let asked = request.headers().get(header::UPGRADE).is_some();
            if !asked {
                return Ok(reply(
                    StatusCode::BAD_REQUEST,
                    &controls.name,
                    "no upgrade asked",
                ));
            }
            let upgrade = hyper::upgrade::on(&mut request);
            tokio::spawn(async move {
                if let Ok(upgraded) = upgrade.await {
                    // Echo every byte back until the other side closes.
                    let mut io = TokioIo::new(upgraded);
                    let mut buffer = [0u8; 1024];
                    while let Ok(n) = io.read(&mut buffer).await {
                        if n == 0 || io.write_all(&buffer[..n]).await.is_err() {
                            break;
                        }
                    }
                }
            });
            Response::builder()
                .status(StatusCode::SWITCHING_PROTOCOLS)
                .header(header::CONNECTION, "upgrade")
                .header(header::UPGRADE, "websocket")
                .body(empty())
                .unwrap()
        }
        "/switch" => Response::builder()
            .status(StatusCode::SWITCHING_PROTOCOLS)
            .header(header::CONNECTION, "upgrade")
            .header(header::UPGRADE, "something-else")
            .body(empty())
            .unwrap(),
        _ => reply(StatusCode::OK, &controls.name, &controls.name),
    })
}

fn reply(status: StatusCode, name: &str, text: &str) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("x-upstream", name)
        .body(Full::new(Bytes::from(text.to_string())).boxed())
        .unwrap()
}

fn empty() -> Body {
    Full::new(Bytes::new()).boxed()
}
