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
//! open connections, health verdicts and health checks.

use std::sync::{Arc, RwLock};

use crate::config::Config;
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

/// The pools as one request sees them.
#[derive(Debug, Default)]
pub struct Table {
    pub default: Option<Arc<Pooled>>,
    /// Prefixes with a pool of their own, longest first.
    pub routes: Vec<(String, Arc<Pooled>)>,
}

impl Table {
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
}

impl Live {
    /// The pools of `config`, running. Needs a tokio runtime (health checks).
    pub fn new(config: &Config, hooks: Hooks) -> Arc<Live> {
        let live = Live {
            table: RwLock::new(Arc::new(Table::default())),
            hooks,
        };
        live.apply(config);
        Arc::new(live)
    }

    /// The table to use for one request.
    pub fn current(&self) -> Arc<Table> {
        self.table.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn start(&self, config: &PoolConfig, keep: &[Arc<Pooled>]) -> Arc<Pooled> {
        if let Some(same) = keep.iter().find(|p| p.config == *config) {
            return same.clone();
        }
        let pool = Pool::new(config.clone());
        let checks = pool.start_health_checks();
        Arc::new(Pooled {
            config: config.clone(),
            forwarder: Forwarder::new(pool, self.hooks),
            _checks: checks,
        })
    }

    /// Makes the pools those of `config` (a reload), keeping unchanged ones.
    pub fn apply(&self, config: &Config) {
        let mut slot = self.table.write().unwrap_or_else(|e| e.into_inner());
        let keep: Vec<Arc<Pooled>> = slot
            .default
            .iter()
            .cloned()
            .chain(slot.routes.iter().map(|(_, p)| p.clone()))
            .collect();
        let default = config.upstream.as_ref().map(|pool| self.start(pool, &keep));
        let mut routes: Vec<(String, Arc<Pooled>)> = config
            .routes
            .iter()
            .map(|route| (route.prefix.clone(), self.start(&route.upstream, &keep)))
            .collect();
        routes.sort_by_key(|(prefix, _)| std::cmp::Reverse(prefix.trim_end_matches('/').len()));
        *slot = Arc::new(Table { default, routes });
    }

    /// Replaces the servers of one pool, keeping its other settings; returns
    /// the pool as it was.
    pub fn replace(
        &self,
        target: &Target,
        servers: Vec<ServerConfig>,
    ) -> Result<PoolConfig, String> {
        if servers.is_empty() {
            return Err("a pool needs at least one server".into());
        }
        let mut slot = self.table.write().unwrap_or_else(|e| e.into_inner());
        let mut table = Table {
            default: slot.default.clone(),
            routes: slot.routes.clone(),
        };
        let pooled = match target {
            Target::Default => table.default.as_mut(),
            Target::Route(prefix) => table
                .routes
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
        *pooled = self.start(&config, &[]);
        *slot = Arc::new(table);
        Ok(before)
    }

    /// One line per pool: `default: 127.0.0.1:8081` / `/api/: ...`.
    pub fn describe(&self) -> String {
        let table = self.current();
        let line = |name: &str, pooled: &Pooled| {
            let servers: Vec<String> = pooled
                .config
                .servers
                .iter()
                .map(|s| s.to_string())
                .collect();
            format!("{name}: {}\n", servers.join(", "))
        };
        let mut text = String::new();
        if let Some(pooled) = &table.default {
            text.push_str(&line("default", pooled));
        }
        for (prefix, pooled) in &table.routes {
            text.push_str(&line(prefix, pooled));
        }
        text
    }
}
