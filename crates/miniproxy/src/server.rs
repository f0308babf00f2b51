//! Sending each request down the right path.
//!
//! Accepting connections and stopping gracefully are the same for every
//! server in this workspace, so they live once, in `serverkit`: one task
//! accepts connections, each connection gets a task of its own (a slow
//! client never holds up the others), and a stop closes the port first,
//! then lets requests in flight finish. What is miniproxy's own is here:
//! what it needs to answer ([`State`]) and how it answers ([`handle`]).

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http::header::HOST;
use http::{Request, Response, StatusCode};
use hyper::body::Incoming;
use hyper::service::service_fn;
use tokio::net::TcpListener;

use crate::access::AccessRules;
use crate::access_log::{AccessLog, Requested};
use crate::config::{CgiConfig, Config, SiteConfig, SiteHttps};
use crate::files;
use crate::hooks::{guarded, Hooks};
use crate::https::OverTls;
use crate::live::Live;
use crate::response::{text, Body};
use crate::routing::under_prefix;
use crate::routing::{Route, StaticRules};
use crate::sites::SiteNames;

use crate::validate::Refused;
use crate::{limits, validate};

/// A server running in the background: [`Running::local_addr`] says where,
/// [`Running::stop`] stops accepting, lets requests in flight finish (for up
/// to [`serverkit::GRACE_PERIOD`]), then returns.
pub use serverkit::Running;

/// How long a client may take to send a request's headers. A client that
/// never finishes them must not hold a connection open forever (the
/// "slowloris" attack); nginx's `client_header_timeout` is 60 s.
const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Everything a request handler needs, shared by all connections.
struct State {
    /// Where the server listens (a CGI script's SERVER_PORT).
    local: SocketAddr,
    /// One per `[[site]]` (or the one implicit site), in config order.
    sites: Vec<Site>,
    /// The sites' names, in the same order: what `select_site` chooses from.
    names: Vec<SiteNames>,
    hooks: Hooks,
    /// Whether the config declared sites (then the access log names them).
    named_sites: bool,
    /// Every site's upstream pools, swappable while serving (chapter 6).
    live: Arc<Live>,
    access_log: Arc<AccessLog>,
    /// The port HTTPS listens on, when it does: plain HTTP requests to a
    /// site with `redirect_to_https` are sent there (chapter 8).
    https_port: Option<u16>,
}

/// One site: what it serves, and how. Its upstream pools live in `live`
/// (they can be switched while serving), at the same index.
struct Site {
    index: usize,
    /// For the access log.
    name: Arc<str>,
    root: Option<PathBuf>,
    /// Prefixes with a pool of their own, each with who may use it.
    route_access: Vec<(String, AccessRules)>,
    rules: StaticRules,
    /// Who may use the site at all.
    access: AccessRules,
    /// Script prefixes run by the CGI host (chapter 4), longest first.
    cgi: Vec<(String, cgi_runner::Cgi)>,
    /// Plain HTTP requests are redirected to HTTPS (chapter 8).
    redirect_to_https: bool,
    /// `Strict-Transport-Security` for answers over HTTPS, if any.
    hsts: Option<http::HeaderValue>,
}

/// Binds `config.listen` and starts serving in the background.
///
/// Errors are the bind's own (`AddrInUse` for a busy port) or a web root
/// that cannot be opened.
pub async fn start(config: Config, hooks: Hooks) -> std::io::Result<Running> {
    Ok(start_live(config, hooks).await?.0)
}

/// [`start`], also returning the live pools, for the admin API and reloads.
/// A config with `listen_https` needs [`start_servers`], which also
/// returns the HTTPS listener.
pub async fn start_live(config: Config, hooks: Hooks) -> std::io::Result<(Running, Arc<Live>)> {
    if config.https.is_some() {
        return Err(std::io::Error::other(
            "this config listens for HTTPS too: start it with miniproxy::start_servers",
        ));
    }
    let servers = start_servers(config, hooks).await?;
    Ok((servers.http, servers.live))
}

/// Everything a config asks for, running: the plain HTTP listener, the
/// HTTPS one when `listen_https` is set (with the `tls` feature), and the
/// live state a reload or the admin API changes.
#[derive(Debug)]
pub struct Servers {
    pub http: Running,
    #[cfg(feature = "tls")]
    pub https: Option<crate::tls::HttpsRunning>,
    pub live: Arc<Live>,
}

impl Servers {
    /// Where HTTPS listens, if it does.
    pub fn https_addr(&self) -> Option<SocketAddr> {
        #[cfg(feature = "tls")]
        return self.https.as_ref().map(|https| https.local_addr());
        #[cfg(not(feature = "tls"))]
        None
    }

    /// Stops both listeners gracefully (see [`Running::stop`]).
    pub async fn stop(self) {
        #[cfg(feature = "tls")]
        if let Some(https) = self.https {
            tokio::join!(self.http.stop(), https.stop());
            return;
        }
        self.http.stop().await;
    }
}

/// Binds every listener of `config` (HTTP, and HTTPS with `listen_https`)
/// and starts serving in the background. Certificates that cannot be
/// served (missing, key mismatch, expired) are an `InvalidData` error
/// naming the file.
pub async fn start_servers(config: Config, hooks: Hooks) -> std::io::Result<Servers> {
    let mut sites = Vec::new();
    let mut names = Vec::new();
    for (index, site) in config.effective_sites().iter().enumerate() {
        let https = config
            .https
            .as_ref()
            .and_then(|https| https.sites.get(index))
            .cloned()
            .unwrap_or_default();
        sites.push(Site::new(index, site, &https).await?);
        names.push(SiteNames {
            names: site.names.clone(),
            default: site.default,
        });
    }
    #[cfg(not(feature = "tls"))]
    if config.https.is_some() {
        return Err(std::io::Error::other(
            "listen_https needs miniproxy built with the `tls` feature",
        ));
    }
    let live = Live::new(&config, hooks);
    // Certificates first: a bad one must stop the start before any port opens.
    #[cfg(feature = "tls")]
    let https_listener = match &config.https {
        Some(https) => {
            let table = crate::tls::CertTable::load(&config)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e.to_string()))?;
            live.certs.replace(table);
            Some(TcpListener::bind(https.listen).await?)
        }
        None => None,
    };
    let listener = TcpListener::bind(config.listen).await?;
    #[cfg(feature = "tls")]
    let https_port = match (&https_listener, &config.https) {
        (Some(listener), Some(https)) => Some(match https.public_port {
            Some(port) => port,
            None => listener.local_addr()?.port(),
        }),
        _ => None,
    };
    #[cfg(not(feature = "tls"))]
    let https_port = None;
    let state = Arc::new(State {
        local: listener.local_addr()?,
        sites,
        names,
        hooks,
        named_sites: !config.sites.is_empty(),
        live: live.clone(),
        access_log: Arc::new(AccessLog::open(&config.access_log)?),
        https_port,
    });
    #[cfg(feature = "tls")]
    let https = match https_listener {
        Some(listener) => Some(serve_https(listener, state.clone())?),
        None => None,
    };
    let http = serve(listener, state, &config)?;
    Ok(Servers {
        http,
        #[cfg(feature = "tls")]
        https,
        live,
    })
}

/// The HTTPS listener: TLS first, then the same [`handle`] as plain HTTP,
/// with each request marked as having come over TLS.
#[cfg(feature = "tls")]
fn serve_https(
    listener: TcpListener,
    state: Arc<State>,
) -> std::io::Result<crate::tls::HttpsRunning> {
    let tls = crate::tls::server_config(state.live.certs.clone()).map_err(std::io::Error::other)?;
    crate::tls::listen::serve(listener, tls, move |client| {
        let state = state.clone();
        service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(OverTls);
            handle(state.clone(), request, client)
        })
    })
}

/// The accept loop (serverkit's), with miniproxy's limits, answering with
/// [`handle`].
fn serve(listener: TcpListener, state: Arc<State>, config: &Config) -> std::io::Result<Running> {
    serverkit::Server::new(listener)
        .http1(|http| {
            http.header_read_timeout(HEADER_READ_TIMEOUT);
            limits::bound_request_head(http);
        })
        .max_connections(config.max_connections)
        .workers(config.workers)
        .start(move |client| {
            let state = state.clone();
            service_fn(move |request| handle(state.clone(), request, client))
        })
}

// ANCHOR: handle
/// Answers one request: choose the site by Host, then static from disk, or
/// dynamic through the site's upstream.
async fn handle(
    state: Arc<State>,
    mut request: Request<Incoming>,
    client: SocketAddr,
) -> Result<Response<Body>, Infallible> {
    let mut requested = state.access_log.requested(&request, client);
    state.log_site(&mut requested, None); // until a site is chosen
    if let Err(refused) = validate::request(&mut request) {
        let mut refused = refused.response();
        name_the_answerer(&mut refused);
        return Ok(state.access_log.record(requested, refused));
    }
    // Which site? Its Host says (chapter 3), or the default site.
    let site = match state.site_for(&request) {
        Ok(site) => site,
        Err(refused) => {
            let mut refused = refused.response();
            name_the_answerer(&mut refused);
            return Ok(state.access_log.record(requested, refused));
        }
    };
    state.log_site(&mut requested, Some(site));
    // Plain HTTP to a site that lives on HTTPS: the same URL there (chapter 8).
    let over_tls = request.extensions().get::<OverTls>().is_some();
    if !over_tls && site.redirect_to_https {
        if let Some(port) = state.https_port {
            let mut redirect = redirect_to_https(&state.hooks, &request, port);
            name_the_answerer(&mut redirect);
            return Ok(state.access_log.record(requested, redirect));
        }
    }
    let path = request.uri().path().to_owned();
    if let Err(mut refused) = site.admits(&path, client.ip()) {
        name_the_answerer(&mut refused);
        return Ok(state.access_log.record(requested, refused));
    }
    // Under a script prefix: the CGI host runs the script (chapter 4).
    if let Some(cgi) = site.scripts(&path) {
        let connection = cgi_runner::Connection {
            local: state.local,
            peer: client,
        };
        // Boxed: hyper keeps room for one request's future on every open
        // connection, idle ones too, sized for the largest path through
        // `handle`. The CGI host's is that path (about 1 KB more than
        // forwarding), and the one least taken.
        let mut response = Box::pin(cgi.handle(request, connection)).await;
        name_the_answerer(&mut response);
        return Ok(state.access_log.record(requested, response));
    }

    // A prefix with a pool of its own is dynamic, whatever the static rules
    // say; everything else is split into static and dynamic. The pools are
    // read once: a switch mid-request leaves this request on the old ones.
    let table = state.live.current();
    let pools = &table.sites[site.index];
    let routed = pools.routed(&path);
    let route = match (&site.root, pools.forwarder()) {
        _ if routed.is_some() => Ok(Route::Dynamic),
        (Some(_), Some(_)) => guarded("classify", || (state.hooks.classify)(&site.rules, &path)),
        (Some(_), None) => Ok(Route::Static),
        (None, _) => Ok(Route::Dynamic),
    };
    let mut response = match &route {
        Err(panic) => text(StatusCode::INTERNAL_SERVER_ERROR, panic),
        Ok(Route::Static) => serve_static(&state.hooks, site, &request, &path).await,
        Ok(Route::Dynamic) => match routed.or(pools.forwarder()) {
            Some(forwarder) => forwarder.forward(request, client).await,
            None => text(StatusCode::NOT_FOUND, "no upstream is configured"),
        },
    };
    name_the_answerer(&mut response);
    if over_tls {
        if let Some(hsts) = &site.hsts {
            response
                .headers_mut()
                .insert(http::header::STRICT_TRANSPORT_SECURITY, hsts.clone());
        }
    }
    // One access-log line per request, like nginx's, once the body is sent.
    Ok(state.access_log.record(requested, response))
}
// ANCHOR_END: handle

impl State {
    // ANCHOR: site_for
    /// The site for `request`'s Host (made to agree with an absolute-form
    /// target by `validate`), or the answer when there is none: 421
    /// Misdirected Request, "this server has no site by that name". Never
    /// some other site: an unknown name must not reach a private app.
    fn site_for<B>(&self, request: &Request<B>) -> Result<&Site, Refused> {
        let host = request.headers().get(HOST).and_then(|h| h.to_str().ok());
        let normalize = self.hooks.normalize_host;
        let name = match host {
            Some(host) => guarded("normalize_host", || normalize(host)).map_err(server_error)?,
            None => None,
        };
        let select = self.hooks.select_site;
        let chosen = guarded("select_site", || select(&self.names, name.as_deref()))
            .map_err(server_error)?;
        match chosen {
            Some(index) if index < self.sites.len() => Ok(&self.sites[index]),
            Some(index) => Err(server_error(format!(
                "the `select_site` hook chose site {index}; there are {}",
                self.sites.len()
            ))),
            None => Err(Refused {
                status: StatusCode::MISDIRECTED_REQUEST,
                why: format!(
                    "no site here is named `{}`, and there is no default site",
                    host.unwrap_or("")
                ),
            }),
        }
    }
    // ANCHOR_END: site_for

    /// With `[[site]]` tables, the access log names the site (`-` for
    /// none); a config without them keeps the log line of chapters 1 and 2.
    fn log_site(&self, requested: &mut Option<Requested>, site: Option<&Site>) {
        if let (true, Some(requested)) = (self.named_sites, requested) {
            requested.set_site(site.map_or_else(|| "-".into(), |s| s.name.clone()));
        }
    }
}

/// A hook that panicked or answered nonsense: the server's fault, 500.
fn server_error(why: String) -> Refused {
    Refused {
        status: StatusCode::INTERNAL_SERVER_ERROR,
        why,
    }
}

impl Site {
    async fn new(index: usize, site: &SiteConfig, https: &SiteHttps) -> std::io::Result<Site> {
        // Canonical root: the symlink guard compares real paths with real paths.
        let root = match &site.root {
            Some(root) => Some(tokio::fs::canonicalize(root).await?),
            None => None,
        };
        let mut route_access: Vec<(String, AccessRules)> = site
            .routes
            .iter()
            .map(|route| (route.prefix.clone(), route.access.clone()))
            .collect();
        route_access
            .sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.trim_end_matches('/').len()));
        Ok(Site {
            index,
            name: site.name.as_str().into(),
            root,
            route_access,
            rules: site.static_rules.clone(),
            access: site.access.clone(),
            cgi: mount_cgi(&site.cgi)?,
            redirect_to_https: https.redirect,
            // `max-age` alone: the browser remembers, for that long, to use
            // HTTPS for this name only (not its subdomains).
            hsts: https
                .hsts_max_age
                .and_then(|age| http::HeaderValue::from_str(&format!("max-age={age}")).ok()),
        })
    }

    /// The CGI host of the longest script prefix `path` is under, if any.
    fn scripts(&self, path: &str) -> Option<&cgi_runner::Cgi> {
        self.cgi
            .iter()
            .find(|(prefix, _)| under_prefix(path, prefix))
            .map(|(_, cgi)| cgi)
    }

    /// The access rules of the longest route prefix `path` is under, if any.
    fn route_access(&self, path: &str) -> Option<&AccessRules> {
        self.route_access
            .iter()
            .find(|(prefix, _)| under_prefix(path, prefix))
            .map(|(_, access)| access)
    }

    /// nginx's `allow`/`deny`: the site's rules, then the route's, by the
    /// client's own address. A refusal is a 403 naming the deciding rule.
    #[allow(clippy::result_large_err)] // the refusal *is* the response
    fn admits(&self, path: &str, client: IpAddr) -> Result<(), Response<Body>> {
        let route_rules = self.route_access(path);
        for rules in std::iter::once(&self.access).chain(route_rules) {
            if let Err(denied) = rules.check(client) {
                let reason = format!(
                    "{client} may not use this (rule {}: {})",
                    denied.rule, denied.text
                );
                return Err(text(StatusCode::FORBIDDEN, reason));
            }
        }
        Ok(())
    }
}

/// A CGI host per `[[cgi]]` prefix, like Apache's `ScriptAlias`: SCRIPT_NAME
/// keeps the prefix, and the scripts under `root` run with miniproxy's
/// address as the server's.
fn mount_cgi(prefixes: &[CgiConfig]) -> std::io::Result<Vec<(String, cgi_runner::Cgi)>> {
    let mut mounted = Vec::new();
    for entry in prefixes {
        let config = cgi_runner::Config {
            mount: entry.prefix.clone(),
            idle_timeout: entry.idle_timeout,
            server_software: "miniproxy".into(),
            ..cgi_runner::Config::new(&entry.root)
        };
        let cgi = cgi_runner::Cgi::new(config, cgi_runner::Hooks::default())?;
        mounted.push((entry.prefix.clone(), cgi));
    }
    mounted.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.len()));
    Ok(mounted)
}

// ANCHOR: serve_static
async fn serve_static(
    hooks: &Hooks,
    site: &Site,
    request: &Request<Incoming>,
    path: &str,
) -> Response<Body> {
    let Some(root) = &site.root else {
        return text(StatusCode::NOT_FOUND, "no web root is configured");
    };
    match guarded("resolve", || (hooks.resolve)(path)) {
        Err(panic) => text(StatusCode::INTERNAL_SERVER_ERROR, panic),
        Ok(Err(refused)) => text(StatusCode::BAD_REQUEST, refused),
        Ok(Ok(relative)) => {
            // The resolver must hand back a path *inside* the root: an
            // absolute path would replace the root when joined.
            if relative.is_absolute() {
                return text(StatusCode::FORBIDDEN, "the resolved path is absolute");
            }
            files::serve(
                root,
                &relative,
                path,
                request.uri().query(),
                request.method(),
                request.headers(),
            )
            .await
        }
    }
}
// ANCHOR_END: serve_static

// ANCHOR: redirect_to_https
/// `308 Permanent Redirect` to the same URL on HTTPS. 308, not 302: the
/// browser may remember it, and, unlike 301, a POST stays a POST with its
/// body. The `https_redirect` hook (lab 9) builds the `Location`.
fn redirect_to_https<B>(hooks: &Hooks, request: &Request<B>, https_port: u16) -> Response<Body> {
    let Some(host) = request.headers().get(HOST).and_then(|h| h.to_str().ok()) else {
        return text(
            StatusCode::BAD_REQUEST,
            "this site is served over HTTPS; a redirect there needs a Host header",
        );
    };
    let target = request.uri().path_and_query().map_or("/", |pq| pq.as_str());
    let build = hooks.https_redirect;
    match guarded("https_redirect", || build(host, target, https_port)) {
        Err(panic) => text(StatusCode::INTERNAL_SERVER_ERROR, panic),
        Ok(location) => match http::HeaderValue::from_str(&location) {
            Ok(value) => {
                let mut response = text(
                    StatusCode::PERMANENT_REDIRECT,
                    format!("this site is served over HTTPS: {location}"),
                );
                response.headers_mut().insert(http::header::LOCATION, value);
                response
            }
            Err(_) => text(
                StatusCode::INTERNAL_SERVER_ERROR,
                "https_redirect built a Location that is not a header value",
            ),
        },
    }
}
// ANCHOR_END: redirect_to_https

/// Answers made here (files, errors) say `Server: miniproxy`; proxied ones
/// keep the upstream's own `Server` header, so `curl -i` shows which process
/// really answered.
fn name_the_answerer(response: &mut Response<Body>) {
    if !response.headers().contains_key(http::header::SERVER) {
        response.headers_mut().insert(
            http::header::SERVER,
            http::HeaderValue::from_static("miniproxy"),
        );
    }
}
