//! The admin API: change where traffic goes without a restart.
//!
//! Off unless asked for (`miniproxy --admin 127.0.0.1:9090`), on a listener
//! of its own, and loopback only: whoever can reach it decides where every
//! request goes, so it must never be on the public port or the network. An
//! address that is not loopback is refused at start, and a connection
//! from anywhere else is refused at every request.
//!
//! ```text
//! GET /upstreams                 default: 127.0.0.1:8081
//!                                /api/: 127.0.0.1:9100
//! GET /upstreams?route=/api/     /api/: 127.0.0.1:9100
//! PUT /upstreams                 body: the new servers, one a line
//!                                (`127.0.0.1:8082`, `127.0.0.1:8083 weight=2`)
//! PUT /upstreams?route=/api/     the same, for a route's pool
//! ```
//!
//! A `PUT` is atomic (see [`crate::live`]): requests in flight finish on
//! the old servers, new ones go to the new servers, and no client
//! connection is closed.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::live::{Live, Target};
use crate::response::{full, text, Body};
use crate::upstream::parse_server;

/// A new server list is a few lines; anything bigger is a mistake.
const MAX_BODY: usize = 64 * 1024;

/// Starts the admin API on `addr`, which must be a loopback address.
pub async fn start(addr: SocketAddr, live: Arc<Live>) -> std::io::Result<serverkit::Running> {
    if !addr.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::PermissionDenied,
            format!("the admin API listens on loopback only (127.0.0.1 or ::1), not {addr}"),
        ));
    }
    let listener = TcpListener::bind(addr).await?;
    serverkit::Server::new(listener).start(move |client| {
        let live = live.clone();
        service_fn(move |request| answer(live.clone(), request, client))
    })
}

async fn answer(
    live: Arc<Live>,
    request: Request<Incoming>,
    client: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    if !client.ip().is_loopback() {
        return Ok(text(
            StatusCode::FORBIDDEN,
            "the admin API answers loopback clients only",
        ));
    }
    if request.uri().path() != "/upstreams" {
        return Ok(text(
            StatusCode::NOT_FOUND,
            "the admin API has /upstreams only",
        ));
    }
    // `?route=PREFIX` picks a route's pool, `?site=NAME` a site (chapter
    // 3); without them, the default pool of the default site.
    let mut target = Target::Default;
    let mut site: Option<String> = None;
    for pair in request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
    {
        let decode = |value: &str| {
            percent_encoding::percent_decode_str(value)
                .decode_utf8_lossy()
                .into_owned()
        };
        match pair.split_once('=') {
            Some(("route", prefix)) => target = Target::Route(decode(prefix)),
            Some(("site", name)) => site = Some(decode(name)),
            _ => {
                return Ok(text(
                    StatusCode::BAD_REQUEST,
                    "the queries are ?route=PREFIX and ?site=NAME",
                ))
            }
        }
    }
    Ok(match *request.method() {
        Method::GET => show(&live, site.as_deref(), &target),
        Method::PUT => {
            let body = match Limited::new(request.into_body(), MAX_BODY).collect().await {
                Ok(body) => body.to_bytes(),
                Err(error) => {
                    return Ok(text(
                        StatusCode::BAD_REQUEST,
                        format!("cannot read the body: {error}"),
                    ))
                }
            };
            replace(&live, site.as_deref(), &target, &body)
        }
        _ => {
            let mut refused = text(StatusCode::METHOD_NOT_ALLOWED, "GET or PUT");
            refused.headers_mut().insert(
                http::header::ALLOW,
                http::HeaderValue::from_static("GET, PUT"),
            );
            refused
        }
    })
}

fn show(live: &Live, site: Option<&str>, target: &Target) -> Response<Body> {
    let all = live.describe();
    let pool = match target {
        Target::Default if site.is_none() => return plain(all),
        Target::Default => "default".to_string(),
        Target::Route(prefix) => prefix.clone(),
    };
    let wanted = match site {
        Some(site) => format!("{site} {pool}: "),
        None => format!("{pool}: "),
    };
    match all.lines().find(|line| line.starts_with(&wanted)) {
        Some(line) => plain(format!("{line}\n")),
        None => text(
            StatusCode::NOT_FOUND,
            format!("no route `{}`", wanted.trim_end_matches(": ")),
        ),
    }
}

fn replace(live: &Live, site: Option<&str>, target: &Target, body: &Bytes) -> Response<Body> {
    let Ok(body) = std::str::from_utf8(body) else {
        return text(StatusCode::BAD_REQUEST, "the body is not text");
    };
    let servers = body
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .map(parse_server)
        .collect::<Result<Vec<_>, _>>();
    let servers = match servers {
        Ok(servers) => servers,
        Err(why) => return text(StatusCode::BAD_REQUEST, why),
    };
    let now: Vec<String> = servers.iter().map(|s| s.to_string()).collect();
    match live.replace(site, target, servers) {
        Ok(before) => {
            let was: Vec<String> = before.servers.iter().map(|s| s.to_string()).collect();
            tracing::info!(
                "admin: pool {} now {} (was {})",
                before.name,
                now.join(", "),
                was.join(", ")
            );
            plain(format!("{} (was {})\n", now.join(", "), was.join(", ")))
        }
        Err(why) => text(StatusCode::NOT_FOUND, why),
    }
}

/// A 200 whose body is exactly `body`, for scripts to read.
fn plain(body: String) -> Response<Body> {
    let mut response = Response::new(full(body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
