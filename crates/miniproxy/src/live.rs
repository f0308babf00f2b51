//! The live upstream pools, swappable while the server runs.
//!
//! Every request reads the current [`Table`] once, at its start, and keeps
//! that `Arc` until it is done. A switch (the admin API, or a SIGHUP
//! reload) builds a new table and puts it in place in one step. So:
//!
//! * a request in flight finishes on the pool it started with (its `Arc`
//!   keeps the old pool, and its connections, alive until it is done);
//! * every request that starts after the switch gets the new pool;
//! * client connections are not touched at all: a switch is not a restart,
//!   no listener closes and no idle keep-alive connection is reset (nginx's
//!   reload replaces its worker processes, and theirs are).
//!
//! A pool whose settings did not change is carried over as it is, with its
//! open connections, health verdicts and health checks. Each site (chapter
//! 3) has its own pools; a switch names the site, or means the default one.

use std::sync::{Arc, RwLock};

use crate::config::{Config, SiteConfig};
use crate::forward::Forwarder;
use crate::hooks::Hooks;
use crate::routing::under_prefix;
use crate::upstream::{HealthChecks, Pool, PoolConfig, ServerConfig};

/// One running pool and what keeps it going.
#[derive(Debug)]
pub struct Pooled {
    pub config: PoolConfig,
    pub forwarder: Forwarder,
    _checks: Option<HealthChecks>,
}

/// One site's pools as one request sees them.
#[derive(Debug, Default)]
pub struct SitePools {
    pub name: String,
    /// Whether unknown names come to this site (it is the one a switch
    /// without a site name means).
    pub is_default: bool,
    pub default: Option<Arc<Pooled>>,
    /// Prefixes with a pool of their own, longest first.
    pub routes: Vec<(String, Arc<Pooled>)>,
}

/// Every site's pools, in the config's site order.
#[derive(Debug, Default)]
pub struct Table {
    pub sites: Vec<SitePools>,
}

impl SitePools {
    /// The pool for requests outside every route.
    pub fn forwarder(&self) -> Option<&Forwarder> {
        self.default.as_ref().map(|p| &p.forwarder)
    }

    /// The pool of the longest route prefix `path` is under, if any.
    pub fn routed(&self, path: &str) -> Option<&Forwarder> {
        self.routes
            .iter()
            .find(|(prefix, _)| under_prefix(path, prefix))
            .map(|(_, pooled)| &pooled.forwarder)
    }
}

impl Table {
    /// The default site's pools (the only site, without `[[site]]`).
    pub fn default_site(&self) -> Option<&SitePools> {
        self.sites
            .iter()
            .find(|s| s.is_default)
            .or(self.sites.first())
    }

    /// The pool for requests outside every route, of the default site.
    pub fn forwarder(&self) -> Option<&Forwarder> {
        self.default_site().and_then(SitePools::forwarder)
    }

    /// A route's pool, of the default site.
    pub fn routed(&self, path: &str) -> Option<&Forwarder> {
        self.default_site().and_then(|site| site.routed(path))
    }
}

/// Which pool a switch replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Default,
    Route(String),
}

/// The holder every request reads from.
#[derive(Debug)]
pub struct Live {
    table: RwLock<Arc<Table>>,
    hooks: Hooks,
    /// Whether an access log reads who answered (fixed until a restart).
    logging: bool,
    /// The certificates HTTPS serves (chapter 8), replaced the same way on
    /// a reload: a whole new set, checked, or nothing changes.
    #[cfg(feature = "tls")]
    pub certs: Arc<crate::tls::CertStore>,
}

impl Live {
    /// The pools of `config`, running. Needs a tokio runtime (health checks).
    pub fn new(config: &Config, hooks: Hooks) -> Arc<Live> {
        let live = Live {
            table: RwLock::new(Arc::new(Table::default())),
            hooks,
            logging: config.access_log != crate::access_log::Destination::Off,
            #[cfg(feature = "tls")]
            certs: Arc::new(crate::tls::CertStore::new(hooks.select_certificate)),
        };
        live.apply(config);
        Arc::new(live)
    }

    /// The table to use for one request.
    pub fn current(&self) -> Arc<Table> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn start(&self, site: &SiteConfig, config: &PoolConfig, keep: &[Arc<Pooled>]) -> Arc<Pooled> {
        if let Some(same) = keep.iter().find(|p| p.config == *config) {
            return same.clone();
        }
        let pool = Pool::new(config.clone());
        let checks = pool.start_health_checks();
        let forwarder = Forwarder::new(pool, self.hooks)
            .reversing(site.proxy_pass_reverse, site.cookie_domain.clone())
            .telling_the_log(self.logging);
        Arc::new(Pooled {
            config: config.clone(),
            forwarder,
            _checks: checks,
        })
    }

    /// Makes the pools those of `config` (a reload), keeping unchanged ones.
    pub fn apply(&self, config: &Config) {
        let mut slot = self.table.write().unwrap_or_else(|e| e.into_inner());
        let mut sites = Vec::new();
        for site in config.effective_sites() {
            // Only this site's running pools may be carried over: the same
            // pool settings under another site may rewrite differently.
            let keep: Vec<Arc<Pooled>> = slot
                .sites
                .iter()
                .filter(|s| s.name == site.name)
                .flat_map(|s| {
                    s.default
                        .iter()
                        .cloned()
                        .chain(s.routes.iter().map(|(_, p)| p.clone()))
                })
                .collect();
            let default = site
                .upstream
                .as_ref()
                .map(|pool| self.start(&site, pool, &keep));
            let mut routes: Vec<(String, Arc<Pooled>)> = site
                .routes
                .iter()
                .map(|route| {
                    (
                        route.prefix.clone(),
                        self.start(&site, &route.upstream, &keep),
                    )
                })
                .collect();
            routes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.trim_end_matches('/').len()));
            sites.push(SitePools {
                name: site.name.clone(),
                is_default: site.default,
                default,
                routes,
            });
        }
        *slot = Arc::new(Table { sites });
    }

    /// Replaces the servers of one pool of a site (`None`: the default
    /// site), keeping its other settings; returns the pool as it was.
    pub fn replace(
        &self,
        site: Option<&str>,
        target: &Target,
        servers: Vec<ServerConfig>,
    ) -> Result<PoolConfig, String> {
        if servers.is_empty() {
            return Err("a pool needs at least one server".into());
        }
        let mut slot = self.table.write().unwrap_or_else(|e| e.into_inner());
        let index = match site {
            Some(name) => slot
                .sites
                .iter()
                .position(|s| s.name == name)
                .ok_or_else(|| format!("no site `{name}`"))?,
            None => slot
                .sites
                .iter()
                .position(|s| s.is_default)
                .or((!slot.sites.is_empty()).then_some(0))
                .ok_or("no site is configured")?,
        };
        let old = &slot.sites[index];
        let mut routes = old.routes.clone();
        let mut default = old.default.clone();
        let pooled = match target {
            Target::Default => default.as_mut(),
            Target::Route(prefix) => routes
                .iter_mut()
                .find(|(p, _)| p == prefix)
                .map(|(_, pooled)| pooled),
        }
        .ok_or_else(|| match target {
            Target::Default => "no default upstream is configured".to_string(),
            Target::Route(prefix) => format!("no route `{prefix}`"),
        })?;
        let before = pooled.config.clone();
        let mut config = before.clone();
        config.servers = servers;
        // The new pool rewrites redirects exactly as the one it replaces.
        let pool = Pool::new(config.clone());
        let checks = pool.start_health_checks();
        *pooled = Arc::new(Pooled {
            config,
            forwarder: pooled.forwarder.with_pool(pool),
            _checks: checks,
        });
        let mut sites: Vec<SitePools> = slot
            .sites
            .iter()
            .map(|s| SitePools {
                name: s.name.clone(),
                is_default: s.is_default,
                default: s.default.clone(),
                routes: s.routes.clone(),
            })
            .collect();
        sites[index].default = default;
        sites[index].routes = routes;
        *slot = Arc::new(Table { sites });
        Ok(before)
    }

    /// One line per pool: `default: 127.0.0.1:8081` / `/api/: ...`, each
    /// prefixed by its site's name when the config declares `[[site]]`s.
    pub fn describe(&self) -> String {
        let table = self.current();
        let mut text = String::new();
        for site in &table.sites {
            // The implicit site of a config without `[[site]]` is "-".
            let named = site.name != "-";
            let line = |name: &str, pooled: &Pooled| {
                let servers: Vec<String> = pooled
                    .config
                    .servers
                    .iter()
                    .map(|s| s.to_string())
                    .collect();
                let site_name = if named {
                    format!("{} ", site.name)
                } else {
                    String::new()
                };
                format!("{site_name}{name}: {}\n", servers.join(", "))
            };
            if let Some(pooled) = &site.default {
                text.push_str(&line("default", pooled));
            }
            for (prefix, pooled) in &site.routes {
                text.push_str(&line(prefix, pooled));
            }
        }
        text
    }
}
