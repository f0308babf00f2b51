//! The application: which request gets which page, and what every response
//! says about who sent it.
//!
//! In a framework this is the router plus a few "filters" or "middleware".
//! Here it is one `match`, so you can see all of it at once.

use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::header::{self, HeaderValue};
use http::{Method, Request, Response, StatusCode};
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full};

use crate::pages;
use crate::query;
use crate::store::Store;
use crate::visits;
use crate::workers::{Workers, DEFAULT_WORKERS};

/// The body type of every response. Most pages are one piece of text
/// ([`Full`]), but `/slow` streams; boxing lets both share one type.
pub type Body = UnsyncBoxBody<Bytes, Infallible>;

/// The pages this application knows. Finding the route first, and checking
/// the method second, is what lets us tell "no such page" (404) apart from
/// "that page exists, but not for POST" (405).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Visits,
    Hello,
    Time,
    Headers,
    Health,
    Profile,
    Version,
    Slow,
    Blocking,
    Workers,
    LoginRedirect,
}

fn route(path: &str) -> Option<Route> {
    match path {
        "/visits" => Some(Route::Visits),
        "/" | "/hello" => Some(Route::Hello),
        "/time" => Some(Route::Time),
        "/headers" => Some(Route::Headers),
        "/health" => Some(Route::Health),
        "/profile" => Some(Route::Profile),
        "/version" => Some(Route::Version),
        "/slow" => Some(Route::Slow),
        "/blocking" => Some(Route::Blocking),
        "/workers" => Some(Route::Workers),
        "/login-redirect" => Some(Route::LoginRedirect),
        _ => None,
    }
}

/// Every page here only *reads*, so GET is the method to use, and HEAD
/// ("GET, but send me only the headers") comes with it. hyper itself leaves
/// the body out of a HEAD response, keeping its `Content-Length`.
const ALLOWED: &str = "GET, HEAD";

/// The state one running server shares between all its connections.
///
/// Connections are served on many threads at once, so anything that changes
/// (the greeting counter) must be safe to change from several threads: an
/// atomic integer is the simplest such thing.
#[derive(Debug)]
pub struct App {
    /// The database behind `/visits` (chapter 7), if one is configured.
    store: Option<Arc<dyn Store>>,
    profile: String,
    version: String,
    greetings: AtomicU64,
    /// The worker slots `/blocking` runs on (see `workers.rs`).
    workers: Workers,
    // Header values are checked once, at start, so building a response can
    // never fail on them later.
    server_header: HeaderValue,
    profile_header: HeaderValue,
}

impl App {
    /// Check the names that will go into headers, and build the app.
    pub fn new(profile: &str, version: &str) -> io::Result<App> {
        let profile_header = header_safe("profile", profile)?;
        header_safe("version", version)?;
        let server_header = header_safe("version", &format!("demo-was/{version}"))?;
        let owner = profile.to_string();
        let blocking = move |query: &str| {
            let wait = slow_wait(Some(query)).unwrap_or(pages::SLOW_DEFAULT);
            pages::blocking(wait, &owner)
        };
        Ok(App {
            store: None,
            profile: profile.to_string(),
            version: version.to_string(),
            greetings: AtomicU64::new(0),
            workers: Workers::new(DEFAULT_WORKERS, Arc::new(blocking)),
            server_header,
            profile_header,
        })
    }

    /// The same app, with `/visits` backed by `store`.
    pub fn with_store(self, store: Option<Arc<dyn Store>>) -> App {
        App { store, ..self }
    }

    /// The same app, with `/blocking` served by `workers` (lab 5 plugs its
    /// hook and a handler it controls in here).
    pub fn with_workers(self, workers: Workers) -> App {
        App { workers, ..self }
    }

    /// `Some(query)` when `req` is for the blocking page, with a valid wait:
    /// that one is answered by [`App::blocking`], everything else by
    /// [`App::handle`].
    pub fn blocking_query<B>(&self, req: &Request<B>) -> Option<String> {
        let query = req.uri().query();
        let wanted = route(req.uri().path()) == Some(Route::Blocking)
            && (req.method() == Method::GET || req.method() == Method::HEAD)
            && slow_wait(query).is_ok();
        wanted.then(|| query.unwrap_or("").to_string())
    }

    // ANCHOR: blocking
    /// `/blocking`: the handler blocks a thread, so it runs in a worker slot
    /// (`workers.rs`) while this future waits without holding one.
    pub async fn blocking(&self, query: &str, peer: SocketAddr) -> Response<Body> {
        let mut response = match self.workers.serve(query).await {
            Ok(body) => text(StatusCode::OK, body),
            Err(why) => {
                tracing::warn!("/blocking: {why}");
                text(StatusCode::INTERNAL_SERVER_ERROR, format!("{why}\n"))
            }
        };
        self.stamp(&mut response);
        tracing::info!(%peer, "GET /blocking?{query} -> {}", response.status().as_u16());
        response
    }
    // ANCHOR_END: blocking

    /// Answer one request. Never fails: every problem with the request is
    /// an HTTP status (404, 405, 400), not an error.
    pub fn handle<B>(&self, req: &Request<B>, peer: SocketAddr) -> Response<Body> {
        let mut response = self.respond(req);
        self.stamp(&mut response);

        // An access log line per request, like nginx's access.log. Health
        // checks are logged only at debug level: a switcher polls /health
        // several times a second and would drown out everything else.
        let (method, uri, status) = (req.method(), req.uri(), response.status().as_u16());
        if req.uri().path() == "/health" {
            tracing::debug!(%peer, "{method} {uri} -> {status}");
        } else {
            tracing::info!(%peer, "{method} {uri} -> {status}");
        }
        response
    }

    // ANCHOR: router
    fn respond<B>(&self, req: &Request<B>) -> Response<Body> {
        let Some(route) = route(req.uri().path()) else {
            return text(
                StatusCode::NOT_FOUND,
                format!("not found: {}\n", req.uri().path()),
            );
        };
        if req.method() != Method::GET && req.method() != Method::HEAD {
            let mut response = text(
                StatusCode::METHOD_NOT_ALLOWED,
                format!("method {} not allowed; use {ALLOWED}\n", req.method()),
            );
            // A 405 must say which methods would have worked (RFC 9110).
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static(ALLOWED));
            return response;
        }

        let query = req.uri().query();
        match route {
            Route::Visits => visits::page(self.store.as_deref(), query),
            Route::Hello => {
                let name = query::param(query, "name").filter(|name| !name.is_empty());
                let count = self.greetings.fetch_add(1, Ordering::Relaxed) + 1;
                let body =
                    pages::greeting(name.as_deref().unwrap_or("world"), &self.profile, count);
                text(StatusCode::OK, body)
            }
            Route::Time => text(StatusCode::OK, pages::time(SystemTime::now())),
            Route::Headers => text(StatusCode::OK, pages::headers(req.headers())),
            Route::Health => json(StatusCode::OK, pages::HEALTH_UP),
            Route::Profile => text(StatusCode::OK, format!("{}\n", self.profile)),
            Route::Version => text(StatusCode::OK, format!("{}\n", self.version)),
            Route::Slow => match slow_wait(query) {
                Ok(wait) => {
                    let mut response =
                        Response::new(pages::slow(wait, &self.profile).boxed_unsync());
                    set_content_type(&mut response, TEXT);
                    response
                }
                Err(message) => text(StatusCode::BAD_REQUEST, message),
            },
            // Reached only with a bad `ms` (or through `handle` directly):
            // a good request goes to `blocking`, see `blocking_query`.
            Route::Blocking => match slow_wait(query) {
                Err(message) => text(StatusCode::BAD_REQUEST, message),
                Ok(_) => text(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "/blocking is answered by App::blocking\n",
                ),
            },
            Route::Workers => text(StatusCode::OK, pages::workers(&self.workers.stats())),
            Route::LoginRedirect => login_redirect(req),
        }
    }
    // ANCHOR_END: router

    /// The headers every response carries, whatever the page.
    // ANCHOR: stamp
    fn stamp(&self, response: &mut Response<Body>) {
        let headers = response.headers_mut();
        // Who answered: with blue and green behind one proxy, these two
        // headers are how you (and the book's tests) tell them apart.
        headers.insert(header::SERVER, self.server_header.clone());
        headers.insert("x-profile", self.profile_header.clone());
        // Every answer here is computed fresh; a cache (the browser's, or a
        // proxy's) that kept one would hide the very changes the book asks
        // you to watch, such as the version switching during a deploy.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        // Some pages echo what the client sent. Forbid browsers to guess
        // that such text is HTML, so an echo can never become a script.
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
    }
    // ANCHOR_END: stamp
}

/// Read `ms` for `/slow`: a whole number of milliseconds, at most
/// [`pages::SLOW_MAX`].
fn slow_wait(query: Option<&str>) -> Result<Duration, String> {
    let Some(ms) = query::param(query, "ms") else {
        return Ok(pages::SLOW_DEFAULT);
    };
    let max = pages::SLOW_MAX.as_millis();
    match ms.parse::<u64>() {
        Ok(ms) if u128::from(ms) <= max => Ok(Duration::from_millis(ms)),
        _ => Err(format!(
            "ms must be a whole number of milliseconds from 0 to {max}, got {ms:?}\n"
        )),
    }
}

const TEXT: &str = "text/plain; charset=utf-8";
const JSON: &str = "application/json";

/// `302 Found` to `/login`, spelled the way many frameworks do it: an
/// absolute URL built from the `Host` this server was asked for. Behind a
/// proxy that sends its own upstream address as `Host` (Apache's default),
/// that is `http://localhost:3000/login`, a name the browser cannot reach:
/// chapter 3's ProxyPassReverse exists to fix exactly this.
fn login_redirect<B>(req: &Request<B>) -> Response<Body> {
    let location = match req.headers().get(header::HOST).map(|h| h.to_str()) {
        Some(Ok(host)) if !host.is_empty() => format!("http://{host}/login"),
        // No usable Host (HTTP/1.0): a relative redirect is still correct.
        _ => "/login".to_string(),
    };
    let mut response = text(StatusCode::FOUND, format!("see {location}\n"));
    // Built from a header value that was valid text: still a valid value.
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

pub(crate) fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    full(status, TEXT, body.into())
}

fn json(status: StatusCode, body: &'static str) -> Response<Body> {
    full(status, JSON, Bytes::from_static(body.as_bytes()))
}

fn full(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body).boxed_unsync());
    *response.status_mut() = status;
    set_content_type(&mut response, content_type);
    response
}

fn set_content_type(response: &mut Response<Body>, content_type: &'static str) {
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
}

/// Turn a name chosen by the user into a header value, or explain why it
/// cannot be one. HTTP header values are a single line of text; a newline in
/// one would let its owner forge extra headers ("header injection").
fn header_safe(what: &str, value: &str) -> io::Result<HeaderValue> {
    let invalid = |why: &str| {
        io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{what} {value:?} {why} (it is sent in an HTTP header)"),
        )
    };
    if value.is_empty() {
        return Err(invalid("is empty"));
    }
    if value.chars().any(char::is_control) {
        return Err(invalid("contains control characters such as newlines"));
    }
    if value.trim() != value {
        return Err(invalid("starts or ends with whitespace"));
    }
    HeaderValue::from_str(value).map_err(|_| invalid("is not a valid header value"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer() -> SocketAddr {
        "127.0.0.1:40000".parse().unwrap()
    }

    fn get(path: &str) -> Request<()> {
        Request::get(path).body(()).unwrap()
    }

    #[test]
    fn routes_and_methods() {
        let app = App::new("blue", "1.0").unwrap();
        assert_eq!(app.handle(&get("/health"), peer()).status(), 200);
        assert_eq!(app.handle(&get("/nope"), peer()).status(), 404);
        assert_eq!(app.handle(&get("/hello/"), peer()).status(), 404);
        let post = Request::post("/hello").body(()).unwrap();
        let response = app.handle(&post, peer());
        assert_eq!(response.status(), 405);
        assert_eq!(response.headers()[header::ALLOW], "GET, HEAD");
    }

    #[test]
    fn every_response_is_stamped() {
        let app = App::new("green", "2.0").unwrap();
        for path in ["/", "/nope", "/slow?ms=oops"] {
            let response = app.handle(&get(path), peer());
            assert_eq!(response.headers()[header::SERVER], "demo-was/2.0");
            assert_eq!(response.headers()["x-profile"], "green");
        }
    }

    #[test]
    fn login_redirect_names_the_host_it_was_asked_for() {
        let app = App::new("app1", "1.0").unwrap();
        let asked = Request::get("/login-redirect")
            .header(header::HOST, "localhost:3000")
            .body(())
            .unwrap();
        let response = app.handle(&asked, peer());
        assert_eq!(response.status(), StatusCode::FOUND);
        assert_eq!(
            response.headers()[header::LOCATION],
            "http://localhost:3000/login"
        );
        let no_host = app.handle(&get("/login-redirect"), peer());
        assert_eq!(no_host.headers()[header::LOCATION], "/login");
    }

    #[test]
    fn slow_wait_is_checked() {
        assert_eq!(slow_wait(None), Ok(pages::SLOW_DEFAULT));
        assert_eq!(slow_wait(Some("ms=250")), Ok(Duration::from_millis(250)));
        assert_eq!(slow_wait(Some("ms=10000")), Ok(Duration::from_secs(10)));
        assert!(slow_wait(Some("ms=10001")).is_err());
        assert!(slow_wait(Some("ms=-1")).is_err());
        assert!(slow_wait(Some("ms=")).is_err());
    }

    #[test]
    fn names_that_cannot_be_headers_are_refused() {
        for bad in ["", "blue\r\nSet-Cookie: x=1", " blue", "tab\there"] {
            let err = App::new(bad, "1.0").unwrap_err();
            assert_eq!(err.kind(), io::ErrorKind::InvalidInput, "{bad:?}");
        }
        assert!(App::new("blue", "1.0\n").is_err());
        // Non-ASCII is fine: header values may carry UTF-8 bytes.
        assert!(App::new("파랑", "1.0").is_ok());
    }
}
