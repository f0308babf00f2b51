//! Forwarding a request to the application servers: the reverse proxy.
//!
//! For every dynamic request the proxy:
//!
//! 1. rewrites the headers for the upstream (the `rewrite_headers` hook:
//!    hop-by-hop headers out, the client appended to `X-Forwarded-For`),
//!    then adds what the upstream needs to build correct links;
//! 2. asks the balancer (the `choose` hook) which upstream of the pool
//!    answers, skipping unhealthy ones;
//! 3. sends it, and when that fails decides whether another upstream may
//!    try: a request that never reached an upstream always may; one that
//!    did only if it is idempotent and has no body (sending a `POST /pay`
//!    twice could charge twice);
//! 4. streams the answer back, cutting it if the upstream goes silent.
//!
//! It never fails: a broken pool becomes a status the client can read. 502
//! Bad Gateway: no upstream gave a valid answer. 503: this machine ran out
//! of connections. 504 Gateway Timeout: the upstream was reached but stayed
//! silent too long.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use bytes::Bytes;
use http::header::{self, HeaderName, HeaderValue};
use http::request::Parts;
use http::HeaderMap;
use http::{Method, Request, Response, StatusCode, Version};
use http_body_util::{BodyExt, Empty};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;

use crate::access_log::Upstream as AnsweredBy;
use crate::bodies::{BodyProgress, IdleTimeout, RequestBody};
use crate::headers::{self, VIA};
use crate::hooks::{guarded, Hooks};
use crate::response::{text, Body};
use crate::upstream::connections::CheckIn;
use crate::upstream::{HostHeader, InFlight, Pool};

/// What a response body holds until it has been passed on: the upstream's
/// count of requests in flight, and the connection to put back in the pool.
type Exchange = (InFlight, CheckIn);

/// The proxy's side of dynamic requests: a pool and the hooks to use.
#[derive(Debug, Clone)]
pub struct Forwarder {
    pool: Arc<Pool>,
    hooks: Hooks,
    /// Rewrite answers that name an upstream to the public name
    /// (ProxyPassReverse, chapter 3).
    reverse: bool,
    /// `Set-Cookie: …; Domain=<an upstream host>` gets this domain instead.
    cookie_domain: Option<String>,
    /// Whether answers say who gave them ([`AnsweredBy`]), for the access
    /// log. Without a log nobody reads it, and it costs a map per answer.
    tell_the_log: bool,
}

impl Forwarder {
    /// A forwarder that rewrites redirects (`reverse` on), and no cookies.
    pub fn new(pool: Arc<Pool>, hooks: Hooks) -> Forwarder {
        Forwarder {
            pool,
            hooks,
            reverse: true,
            cookie_domain: None,
            tell_the_log: true,
        }
    }

    /// Sets whether answers carry [`AnsweredBy`] (on by default).
    pub fn telling_the_log(mut self, tell: bool) -> Forwarder {
        self.tell_the_log = tell;
        self
    }

    /// Sets the site's ProxyPassReverse and cookie domain rewrite.
    pub fn reversing(mut self, reverse: bool, cookie_domain: Option<String>) -> Forwarder {
        self.reverse = reverse;
        self.cookie_domain = cookie_domain;
        self
    }

    /// The same forwarder (hooks, redirect rewriting) over another pool: a
    /// switch replaces a site's servers, never how the site answers.
    pub fn with_pool(&self, pool: Arc<Pool>) -> Forwarder {
        Forwarder {
            pool,
            ..self.clone()
        }
    }

    // ANCHOR: forward
    /// Sends `request` to an upstream of the pool and returns its answer,
    /// streaming the bodies both ways.
    pub async fn forward(
        &self,
        mut request: Request<Incoming>,
        client: SocketAddr,
    ) -> Response<Body> {
        // A WebSocket (or other) upgrade the client asked for: the tunnel is
        // opened only once the upstream agrees (see `tunnel`).
        let upgrade = wants_upgrade(&request).then(|| hyper::upgrade::on(&mut request));
        let (mut parts, body) = request.into_parts();

        // 1. The headers, as the upstream should see them.
        let client_host = parts.headers.get(header::HOST).cloned();
        let upgrade_to = parts.headers.get(header::UPGRADE).cloned();
        let rewrite = self.hooks.rewrite_headers;
        if let Err(panic) = guarded("rewrite_headers", || {
            rewrite(&mut parts.headers, client.ip())
        }) {
            return text(StatusCode::INTERNAL_SERVER_ERROR, panic);
        }
        self.add_proxy_headers(&mut parts, client, client_host.clone());
        if let (Some(_), Some(protocol)) = (&upgrade, upgrade_to) {
            // Hop-by-hop, so dropped above: an upgrade is the one case the
            // proxy asks the next hop for the same thing itself.
            parts
                .headers
                .insert(header::CONNECTION, HeaderValue::from_static("upgrade"));
            parts.headers.insert(header::UPGRADE, protocol);
        }
        parts.version = Version::HTTP_11;
        // The upstream gets the origin form (`/path?query`), even when the
        // client sent the absolute form (`http://host/path`).
        if parts.uri.authority().is_some() {
            let target = parts.uri.path_and_query().map_or("/", |pq| pq.as_str());
            parts.uri = target
                .parse()
                .unwrap_or_else(|_| http::Uri::from_static("/"));
        }

        // 2. The body. A bodiless idempotent request can be sent again, so
        //    only then is a copy of its head kept, for a retry, and only
        //    when there is another upstream to retry on.
        let may_retry = self.pool.upstreams.len() > 1;
        let replay = (may_retry && is_idempotent(&parts.method) && has_no_body(&parts))
            .then(|| copy_parts(&parts));
        // A body is followed as it streams (see `bodies`); no body, nothing
        // to follow.
        let progress = (!has_no_body(&parts)).then(|| Arc::new(BodyProgress::default()));
        let body = match &progress {
            None => empty(),
            Some(progress) => RequestBody::new(body, progress.clone()).boxed(),
        };
        let mut pending = Some(Request::from_parts(parts, body));

        // 3. Choose, send, and maybe try another upstream.
        let pool = &self.pool;
        let turn = pool.next_turn();
        let mut tried: Vec<usize> = Vec::new();
        let mut last_failure = String::from("no upstream was tried");
        loop {
            let candidates = pool.candidates(&tried, Instant::now());
            let choose = self.hooks.choose;
            let choice = match guarded("choose", || choose(pool.config.strategy, &candidates, turn))
            {
                Ok(choice) => choice,
                Err(panic) => return text(StatusCode::INTERNAL_SERVER_ERROR, panic),
            };
            let Some(index) = choice else {
                return no_upstream_left(pool, &tried, &last_failure);
            };
            if !candidates.get(index).is_some_and(|c| c.healthy) {
                let reason = format!(
                    "the `choose` hook picked upstream {index}, which is not a healthy candidate"
                );
                return text(StatusCode::INTERNAL_SERVER_ERROR, reason);
            }
            let upstream = &pool.upstreams[index];
            let in_flight = upstream.begin();
            let started = Instant::now();

            let mut checkout = match upstream
                .connections
                .checkout(pool.config.connect_timeout)
                .await
            {
                Ok(checkout) => checkout,
                Err(error) => {
                    if error.is_out_of_descriptors() {
                        return text(
                            StatusCode::SERVICE_UNAVAILABLE,
                            "too many open connections; try again",
                        );
                    }
                    upstream
                        .health
                        .record_failure(pool.passive(), Instant::now());
                    last_failure = format!(
                        "cannot connect to upstream {}: {error}",
                        upstream.authority()
                    );
                    tracing::warn!("pool {}: {last_failure}", pool.config.name);
                    tried.push(index);
                    continue;
                }
            };

            let mut outgoing = pending.take().expect("a request to send");
            if pool.config.host == HostHeader::Upstream {
                if let Ok(value) = HeaderValue::from_str(upstream.authority().as_str()) {
                    outgoing.headers_mut().insert(header::HOST, value);
                }
            }
            let sent = checkout.sender.try_send_request(outgoing);
            // The upstream's clock starts once it has the whole request.
            let silence = async {
                if let Some(progress) = &progress {
                    progress.finished.notified().await;
                    progress.finished.notify_one(); // for a retry's own wait
                }
                tokio::time::sleep(pool.config.read_timeout).await;
            };
            let outcome = tokio::select! {
                biased; // the answer first: when both are ready, it wins
                outcome = sent => outcome,
                () = silence => {
                    upstream.health.record_failure(pool.passive(), Instant::now());
                    let reason = format!(
                        "upstream {} did not answer within {:?} of getting the request",
                        upstream.authority(), pool.config.read_timeout
                    );
                    return text(StatusCode::GATEWAY_TIMEOUT, reason);
                }
            };

            match outcome {
                Ok(answer) => {
                    upstream.health.record_success();
                    // Back to the pool once the body has been passed on.
                    let check_in = CheckIn::new(upstream.connections.clone(), checkout.sender);
                    // For the access log: who answered, and how fast.
                    let answered_by = AnsweredBy {
                        addr: upstream.authority().clone(),
                        elapsed: started.elapsed(),
                    };
                    let public = client_host.as_ref().and_then(|h| h.to_str().ok());
                    return self
                        .answer(answer, upgrade, (in_flight, check_in), answered_by, public)
                        .await;
                }
                Err(mut error) => {
                    if let Some(unsent) = error.take_message() {
                        // Never written: a pooled connection that had just
                        // closed. Safe to send again, here or elsewhere.
                        pending = Some(unsent);
                        if !checkout.reused {
                            upstream
                                .health
                                .record_failure(pool.passive(), Instant::now());
                            tried.push(index);
                        }
                        continue;
                    }
                    if progress
                        .as_ref()
                        .is_some_and(|p| p.broken.load(Ordering::Relaxed))
                    {
                        return text(StatusCode::BAD_REQUEST, "the request body is malformed");
                    }
                    upstream
                        .health
                        .record_failure(pool.passive(), Instant::now());
                    last_failure = format!(
                        "upstream {} failed: {}",
                        upstream.authority(),
                        error.error()
                    );
                    tracing::warn!("pool {}: {last_failure}", pool.config.name);
                    tried.push(index);
                    let Some(head) = &replay else {
                        return text(StatusCode::BAD_GATEWAY, &last_failure);
                    };
                    pending = Some(Request::from_parts(copy_parts(head), empty()));
                }
            }
        }
    }
    // ANCHOR_END: forward

    /// What the engine adds after the `rewrite_headers` hook: where the
    /// request was addressed (`X-Forwarded-Host`, `-Proto`, `Forwarded`),
    /// the `Host` the upstream sees, and this hop in `Via`.
    fn add_proxy_headers(
        &self,
        parts: &mut Parts,
        client: SocketAddr,
        client_host: Option<HeaderValue>,
    ) {
        // The scheme the *client* used: the application itself only ever
        // sees plain HTTP from us, and needs this to build https:// links.
        let proto = if parts.extensions.get::<crate::https::OverTls>().is_some() {
            "https"
        } else {
            "http"
        };
        let headers = &mut parts.headers;
        headers.insert(headers::X_FORWARDED_PROTO, HeaderValue::from_static(proto));
        if let Some(host) = &client_host {
            headers.insert(headers::X_FORWARDED_HOST, host.clone());
        }
        if self.pool.config.forwarded {
            let element = headers::forwarded_element(client.ip(), proto, client_host.as_ref());
            if let Ok(element) = HeaderValue::try_from(element) {
                headers::append(headers, header::FORWARDED, element);
            }
        }
        match &self.pool.config.host {
            HostHeader::Preserve => {}
            // Only known once an upstream is chosen: set for each attempt.
            HostHeader::Upstream => {}
            HostHeader::Fixed(name) => {
                if let Ok(value) = HeaderValue::from_str(name) {
                    headers.insert(header::HOST, value);
                }
            }
        }
        headers::append(headers, header::VIA, HeaderValue::from_static(VIA));
    }

    /// The upstream's answer, on its way back to the client.
    async fn answer(
        &self,
        answer: Response<Incoming>,
        upgrade: Option<hyper::upgrade::OnUpgrade>,
        exchange: Exchange,
        answered_by: AnsweredBy,
        public: Option<&str>,
    ) -> Response<Body> {
        if answer.status() == StatusCode::SWITCHING_PROTOCOLS {
            return match upgrade {
                Some(client_side) => tunnel(answer, client_side, exchange.0, answered_by),
                // A switch nobody asked for would leave the client reading
                // a protocol it never agreed to.
                None => text(
                    StatusCode::BAD_GATEWAY,
                    "the upstream switched protocols without being asked",
                ),
            };
        }
        // The same clean-up on the way back: the upstream's connection
        // headers are not the client's.
        let (mut parts, body) = answer.into_parts();
        headers::remove_hop_by_hop(&mut parts.headers);
        if let (true, Some(public)) = (self.reverse, public) {
            if let Err(panic) = self.rewrite_back(&mut parts.headers, public) {
                return text(StatusCode::INTERNAL_SERVER_ERROR, panic);
            }
        }
        if let Some(domain) = &self.cookie_domain {
            self.rewrite_cookie_domains(&mut parts.headers, domain);
        }
        headers::append(
            &mut parts.headers,
            header::VIA,
            HeaderValue::from_static(VIA),
        );
        if self.tell_the_log {
            parts.extensions.insert(answered_by);
        }
        let body = IdleTimeout::new(body, self.pool.config.read_timeout, exchange);
        Response::from_parts(parts, body.boxed())
    }
}

impl Forwarder {
    // ANCHOR: rewrite_back
    /// ProxyPassReverse: the application builds its redirects from what it
    /// sees (`Host: localhost:3000`, its own address), and a browser sent to
    /// `http://localhost:3000/login` would knock on its *own* machine. Each
    /// header that carries a URL on the way back is offered to the
    /// `rewrite_location` hook once per upstream of the pool; the first
    /// rewrite wins, anything else passes unchanged.
    fn rewrite_back(&self, headers: &mut HeaderMap, public: &str) -> Result<(), String> {
        let rewrite = self.hooks.rewrite_location;
        for name in [
            header::LOCATION,
            header::CONTENT_LOCATION,
            HeaderName::from_static("uri"),
        ] {
            let Some(value) = headers.get(&name).and_then(|v| v.to_str().ok()) else {
                continue;
            };
            let value = value.to_owned();
            for upstream in &self.pool.upstreams {
                let authority = upstream.authority().as_str();
                let rewritten = guarded("rewrite_location", || rewrite(&value, authority, public))?;
                if let Some(new) = rewritten.and_then(|v| HeaderValue::from_str(&v).ok()) {
                    headers.insert(&name, new);
                    break;
                }
            }
        }
        Ok(())
    }
    // ANCHOR_END: rewrite_back

    /// ProxyPassReverseCookieDomain: a cookie the application scoped to its
    /// own host (`Domain=localhost`) would never be sent back by a browser
    /// on `app1.example.com`; it gets the site's domain instead.
    fn rewrite_cookie_domains(&self, headers: &mut HeaderMap, domain: &str) {
        let hosts: Vec<&str> = self
            .pool
            .upstreams
            .iter()
            .map(|u| u.authority().host())
            .collect();
        let cookies: Vec<HeaderValue> = headers
            .get_all(header::SET_COOKIE)
            .iter()
            .cloned()
            .collect();
        if cookies.is_empty() {
            return;
        }
        headers.remove(header::SET_COOKIE);
        for cookie in cookies {
            let fixed = cookie
                .to_str()
                .ok()
                .and_then(|text| cookie_with_domain(text, &hosts, domain))
                .and_then(|text| HeaderValue::from_str(&text).ok());
            headers.append(header::SET_COOKIE, fixed.unwrap_or(cookie));
        }
    }
}

/// `a=1; Path=/; Domain=localhost` → `a=1; Path=/; Domain=app1.example.com`
/// when `localhost` is one of `hosts`; `None` when nothing changes.
fn cookie_with_domain(cookie: &str, hosts: &[&str], domain: &str) -> Option<String> {
    let mut changed = false;
    let parts: Vec<String> = cookie
        .split(';')
        .map(|part| {
            let trimmed = part.trim();
            let Some((key, value)) = trimmed.split_once('=') else {
                return part.to_string();
            };
            let value = value.trim().trim_start_matches('.');
            if key.trim().eq_ignore_ascii_case("domain")
                && hosts.iter().any(|h| h.eq_ignore_ascii_case(value))
            {
                changed = true;
                format!(" {}={domain}", key.trim())
            } else {
                part.to_string()
            }
        })
        .collect();
    changed.then(|| parts.join(";"))
}

/// Passes the upstream's `101 Switching Protocols` to the client, then
/// copies bytes both ways between the two upgraded connections until either
/// side closes: from here on the proxy no longer speaks HTTP on them.
fn tunnel(
    mut answer: Response<Incoming>,
    client_side: hyper::upgrade::OnUpgrade,
    in_flight: InFlight,
    answered_by: AnsweredBy,
) -> Response<Body> {
    let upstream_side = hyper::upgrade::on(&mut answer);
    tokio::spawn(async move {
        let _in_flight = in_flight;
        let (Ok(client), Ok(upstream)) = (client_side.await, upstream_side.await) else {
            tracing::debug!("an upgrade was agreed but a side went away first");
            return;
        };
        let (mut client, mut upstream) = (TokioIo::new(client), TokioIo::new(upstream));
        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
    });
    let (mut parts, _) = answer.into_parts();
    headers::append(
        &mut parts.headers,
        header::VIA,
        HeaderValue::from_static(VIA),
    );
    parts.extensions.insert(answered_by);
    Response::from_parts(parts, empty())
}

/// 502 naming the pool, and why the last upstream failed. A pool of one is
/// just "the upstream": its failure is the whole story.
fn no_upstream_left(pool: &Pool, tried: &[usize], last_failure: &str) -> Response<Body> {
    let reason = match (pool.upstreams.len(), tried.is_empty()) {
        (1, false) => last_failure.to_string(),
        (_, true) => format!("no healthy upstream in pool `{}`", pool.config.name),
        (_, false) => format!(
            "no healthy upstream left in pool `{}` (last: {last_failure})",
            pool.config.name
        ),
    };
    text(StatusCode::BAD_GATEWAY, reason)
}

/// Did the client ask to switch protocols (`Connection: upgrade` and an
/// `Upgrade` header, as a WebSocket handshake does)?
fn wants_upgrade<B>(request: &Request<B>) -> bool {
    let connection_says_upgrade = request
        .headers()
        .get_all(header::CONNECTION)
        .iter()
        .flat_map(|value| value.as_bytes().split(|&b| b == b','))
        .any(|token| token.trim_ascii().eq_ignore_ascii_case(b"upgrade"));
    connection_says_upgrade && request.headers().contains_key(header::UPGRADE)
}

/// Methods that mean the same when sent twice (RFC 9110 §9.2.2).
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE | Method::PUT | Method::DELETE
    )
}

/// No `Content-Length` above zero and no `Transfer-Encoding`: nothing to
/// stream, so the request can be rebuilt from its head alone.
fn has_no_body(parts: &Parts) -> bool {
    let length_zero = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .is_none_or(|value| value.as_bytes() == b"0");
    length_zero && !parts.headers.contains_key(header::TRANSFER_ENCODING)
}

/// The request head again (method, target, headers), for another attempt.
fn copy_parts(parts: &Parts) -> Parts {
    let mut builder = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone())
        .version(parts.version);
    if let Some(headers) = builder.headers_mut() {
        *headers = parts.headers.clone();
    }
    builder
        .body(())
        .expect("parts that were valid stay valid")
        .into_parts()
        .0
}

fn empty() -> Body {
    Empty::<Bytes>::new()
        .map_err(|never| match never {})
        .boxed()
}
