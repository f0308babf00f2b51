//! The upstream pool: the application servers behind the proxy.
//!
//! A pool is a named list of upstreams (`host:port`, each with a weight),
//! how to spread requests over them ([`balance`]), how to tell whether each
//! is healthy ([`health`]) and the connections kept open to each
//! ([`connections`]). The proxy's side of a request (`forward`) asks the
//! pool for [`Pool::candidates`], lets the balancer choose, and reports
//! back how the attempt went.

pub mod balance;
pub mod connections;
pub mod health;

use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::uri::Authority;
use http::Request;
use http_body_util::{BodyExt, Empty};

use balance::{Candidate, Strategy};
use connections::Connections;
use health::{ActiveCheck, Health, PassivePolicy};

/// nginx's `proxy_connect_timeout` default is 60 s; a dead host on a LAN
/// should fail much faster than that, so another upstream can answer.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// nginx's `proxy_read_timeout` default: the longest silence allowed
/// between two reads from the upstream.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(60);

/// A pool as configured: checked, ready to run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolConfig {
    /// Named in errors and logs: "no healthy upstream in pool `app`".
    pub name: String,
    pub servers: Vec<ServerConfig>,
    pub strategy: Strategy,
    pub passive: PassivePolicy,
    pub active: Option<ActiveCheck>,
    /// How long opening a connection may take before the next upstream is tried.
    pub connect_timeout: Duration,
    /// The longest silence from the upstream once the request is sent.
    pub read_timeout: Duration,
    /// What `Host` header the upstream sees.
    pub host: HostHeader,
    /// Also send the standard `Forwarded` header (RFC 7239).
    pub forwarded: bool,
}

/// One upstream of a pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerConfig {
    pub authority: Authority,
    pub weight: u32,
}

/// The `Host` header sent upstream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum HostHeader {
    /// The client's own (Apache's `ProxyPreserveHost On`; nginx's
    /// `proxy_set_header Host $host`). Apps that build links need it.
    #[default]
    Preserve,
    /// The upstream's address (nginx's default, `$proxy_host`; Apache's
    /// default).
    Upstream,
    /// A fixed name.
    Fixed(String),
}

impl PoolConfig {
    /// A pool of one upstream with every default: what `upstream =
    /// "127.0.0.1:9000"` means.
    pub fn single(authority: Authority) -> PoolConfig {
        PoolConfig {
            name: "app".into(),
            servers: vec![ServerConfig {
                authority,
                weight: 1,
            }],
            strategy: Strategy::default(),
            passive: PassivePolicy::default(),
            active: None,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            read_timeout: DEFAULT_READ_TIMEOUT,
            host: HostHeader::default(),
            forwarded: false,
        }
    }
}

/// `"127.0.0.1:9000".parse()` is a pool of that one upstream.
impl FromStr for PoolConfig {
    type Err = String;
    fn from_str(text: &str) -> Result<PoolConfig, String> {
        Ok(PoolConfig::single(parse_authority(text)?))
    }
}

impl fmt::Display for PoolConfig {
    /// `app: 127.0.0.1:9001, 127.0.0.1:9002 weight=2 (round-robin)`
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let servers: Vec<String> = self.servers.iter().map(ServerConfig::to_string).collect();
        let strategy = match self.strategy {
            Strategy::RoundRobin => "round-robin",
            Strategy::LeastConnections => "least-connections",
        };
        write!(f, "{}: {} ({strategy})", self.name, servers.join(", "))
    }
}

impl fmt::Display for ServerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.weight {
            1 => write!(f, "{}", self.authority),
            weight => write!(f, "{} weight={weight}", self.authority),
        }
    }
}

/// Reads `127.0.0.1:9001` or `127.0.0.1:9001 weight=3` (nginx's `server`
/// line, without the `server`).
pub fn parse_server(text: &str) -> Result<ServerConfig, String> {
    let mut words = text.split_whitespace();
    let authority = parse_authority(words.next().unwrap_or(""))?;
    let mut weight = 1;
    for word in words {
        match word.split_once('=') {
            Some(("weight", value)) => {
                weight = value
                    .parse()
                    .ok()
                    .filter(|&w: &u32| w >= 1)
                    .ok_or_else(|| format!("`{word}`: a weight is a whole number from 1"))?;
            }
            _ => {
                return Err(format!(
                    "`{word}`: the only option after an address is weight=N"
                ))
            }
        }
    }
    Ok(ServerConfig { authority, weight })
}

/// Accepts `127.0.0.1:9000` or `http://127.0.0.1:9000`.
pub fn parse_authority(text: &str) -> Result<Authority, String> {
    if text.starts_with("https://") {
        return Err("miniproxy speaks plain HTTP to its upstream; use http:// or host:port".into());
    }
    let bare = text.strip_prefix("http://").unwrap_or(text);
    let bare = bare.trim_end_matches('/');
    let authority: Authority = bare
        .parse()
        .map_err(|_| format!("`{text}` is not an upstream like 127.0.0.1:9000"))?;
    if authority.port().is_none() {
        return Err(format!("`{text}` needs a port, like 127.0.0.1:9000"));
    }
    Ok(authority)
}

/// A running pool: its upstreams and what is known about each.
#[derive(Debug)]
pub struct Pool {
    pub config: PoolConfig,
    pub upstreams: Vec<Upstream>,
    /// Counts requests, for round-robin's turns.
    turns: AtomicU64,
}

#[derive(Debug)]
pub struct Upstream {
    pub connections: Arc<Connections>,
    pub health: Health,
    pub weight: u32,
    /// Requests in flight right now (for least-connections).
    active: Arc<AtomicUsize>,
}

/// Counts one request in flight on an upstream until dropped. It travels
/// with the response body, so a long download counts until its last byte.
#[derive(Debug)]
pub struct InFlight(Arc<AtomicUsize>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Upstream {
    pub fn authority(&self) -> &Authority {
        self.connections.authority()
    }

    pub fn begin(&self) -> InFlight {
        self.active.fetch_add(1, Ordering::Relaxed);
        InFlight(self.active.clone())
    }
}

impl Pool {
    pub fn new(config: PoolConfig) -> Arc<Pool> {
        let upstreams = config
            .servers
            .iter()
            .map(|server| Upstream {
                connections: Arc::new(Connections::new(server.authority.clone())),
                health: Health::default(),
                weight: server.weight,
                active: Arc::new(AtomicUsize::new(0)),
            })
            .collect();
        Arc::new(Pool {
            config,
            upstreams,
            turns: AtomicU64::new(0),
        })
    }

    /// When real traffic takes an upstream out. Like nginx, a pool of one
    /// never takes its only upstream out: there is nowhere else to send the
    /// request, so it might as well try.
    pub fn passive(&self) -> PassivePolicy {
        match self.upstreams.len() {
            1 => PassivePolicy {
                max_fails: 0,
                ..self.config.passive
            },
            _ => self.config.passive,
        }
    }

    /// The next request's turn number.
    pub fn next_turn(&self) -> u64 {
        self.turns.fetch_add(1, Ordering::Relaxed)
    }

    /// What the balancer may choose from. Upstreams already tried for this
    /// request count as unhealthy, so a retry goes somewhere else.
    pub fn candidates(&self, tried: &[usize], now: Instant) -> Vec<Candidate> {
        self.upstreams
            .iter()
            .enumerate()
            .map(|(i, upstream)| Candidate {
                healthy: !tried.contains(&i) && upstream.health.is_healthy(now),
                active: upstream.active.load(Ordering::Relaxed),
                weight: upstream.weight,
            })
            .collect()
    }

    /// Starts the active health checks, if configured. They run until the
    /// returned guard is dropped (when the server stops).
    pub fn start_health_checks(self: &Arc<Self>) -> Option<HealthChecks> {
        let check = self.config.active.clone()?;
        let pool = self.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(check.interval());
            loop {
                ticks.tick().await;
                // All upstreams are asked at once: one slow answer must not
                // delay the verdict on the others.
                let asked = pool
                    .upstreams
                    .iter()
                    .map(|upstream| ask(upstream, &check, pool.config.connect_timeout));
                let answers = futures_util::future::join_all(asked).await;
                for (upstream, ok) in pool.upstreams.iter().zip(answers) {
                    match upstream.health.record_check(&check, ok) {
                        Some(true) => tracing::warn!(
                            "pool {}: upstream {} is healthy again ({} checks of {} passed)",
                            pool.config.name,
                            upstream.authority(),
                            check.rise,
                            check.path
                        ),
                        Some(false) => tracing::warn!(
                            "pool {}: upstream {} is down ({} checks of {} failed); not sending it requests",
                            pool.config.name,
                            upstream.authority(),
                            check.fall,
                            check.path
                        ),
                        None => {}
                    }
                }
            }
        });
        Some(HealthChecks(task))
    }
}

/// The running health checks; dropping this stops them.
#[derive(Debug)]
pub struct HealthChecks(tokio::task::JoinHandle<()>);

impl Drop for HealthChecks {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// One active check: `GET path` on a connection of its own (never a pooled
/// one, so a check tests what a new connection would meet). Healthy means a
/// 2xx or 3xx answer within the check interval.
async fn ask(upstream: &Upstream, check: &ActiveCheck, connect_timeout: Duration) -> bool {
    let exchange = async {
        let mut sender = upstream.connections.connect(connect_timeout).await.ok()?;
        let request = Request::get(check.path.as_str())
            .header(http::header::HOST, upstream.authority().as_str())
            .header(http::header::USER_AGENT, "miniproxy-health-check")
            .body(
                Empty::<Bytes>::new()
                    .map_err(|never| match never {})
                    .boxed(),
            )
            .ok()?;
        let response = sender.send_request(request).await.ok()?;
        Some(response.status())
    };
    match tokio::time::timeout(check.interval(), exchange).await {
        Ok(Some(status)) => status.is_success() || status.is_redirection(),
        _ => false,
    }
}
