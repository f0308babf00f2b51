//! Configuration: a TOML file, checked before the server starts.
//!
//! ```toml
//! listen = "127.0.0.1:8080"     # the default; "0.0.0.0:8080" opens it to the network
//! root = "public"               # static files; relative to this file
//! upstream = "127.0.0.1:9000"   # the application server (WAS)
//! access_log = "stdout"         # the default; "off", or a file (relative to this file)
//!
//! [static]
//! prefixes = ["/static/"]
//! extensions = ["css", "js", "png"]
//! ```
//!
//! Several application servers make a pool (chapter 2):
//!
//! ```toml
//! [upstream]
//! name = "app"                          # named in errors and logs
//! servers = ["127.0.0.1:9001", "127.0.0.1:9002 weight=2"]
//! strategy = "round-robin"              # or "least-connections"
//! max_fails = 1                         # passive health: failures within
//! fail_timeout_secs = 10                #   fail_timeout take one out for it
//! connect_timeout_secs = 5              # then the next upstream is tried
//! read_timeout_secs = 60                # the longest silence, then 504
//! host = "preserve"                     # or "upstream", or a fixed name
//! forwarded = false                     # also send RFC 7239 `Forwarded`
//!
//! [upstream.health]                     # active health checks
//! path = "/health"
//! interval_ms = 2000
//! rise = 2
//! fall = 3
//!
//! access = ["allow 192.0.2.0/24", "deny all"]   # who may come in (nginx's
//!                                       #   allow/deny; first match decides)
//!
//! [[cgi]]                               # scripts under a prefix (chapter 4),
//! prefix = "/cgi-bin/"                  #   like Apache's ScriptAlias
//! root = "cgi-bin"
//!
//! [[route]]                             # a prefix with a pool of its own,
//! prefix = "/api/"                      #   checked before everything else
//! upstream = "127.0.0.1:9100"           # (an address, or a [route.upstream] table)
//! ```
//!
//! Several sites on one address, told apart by `Host` (chapter 3). Each
//! `[[site]]` has its names and its own `root`, `[static]` rules,
//! `upstream` and `[[route]]`s; without any `[[site]]`, the top-level ones
//! are the one site, which answers every name:
//!
//! ```toml
//! [[site]]
//! name = "app1"                         # in the access log; default: the first name
//! names = ["app1.example.com", "*.app1.example.com"]
//! default = true                        # unknown names and no Host land here
//! upstream = "localhost:3000"
//! proxy_pass_reverse = true             # the default: rewrite Location & co.
//! cookie_domain = "app1.example.com"    # optional: Set-Cookie Domain=… becomes this
//! ```
//!
//! HTTPS in front (chapter 8, needs the `tls` cargo feature): a second
//! listener for TLS, and per site a certificate chosen by the name the
//! client sends in its TLS hello (SNI):
//!
//! ```toml
//! listen_https = "127.0.0.1:8443"
//! https_public_port = 443               # optional: the port redirects name, when
//!                                       #   clients come through a port forward
//!
//! [[site]]
//! names = ["app1.localhost"]
//! default = true                        # also: its certificate for clients without SNI
//! upstream = "127.0.0.1:3001"
//! tls_cert = "certs/app1.localhost.pem" # the chain: leaf first, then intermediates
//! tls_key = "certs/app1.localhost-key.pem"
//! redirect_to_https = true              # http:// answers 308 to the https:// URL
//! hsts_max_age = 31536000               # optional: Strict-Transport-Security, seconds
//! ```
//!
//! A mistake is reported with its place in the file (`miniproxy.toml:3:12:`)
//! and the server does not start: a proxy that half-works is worse than one
//! that refuses to start.
//!
//! `access_log` takes one line per request in nginx's "combined" format
//! (see [`crate::access_log`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::Spanned;

use crate::access::AccessRules;
use crate::access_log::Destination;
use crate::routing::StaticRules;
use crate::upstream::balance::Strategy;
use crate::upstream::health::{ActiveCheck, PassivePolicy};
use crate::upstream::{parse_server, HostHeader, PoolConfig};

/// The default address: loopback only. Opening a port to the network is a
/// decision the user makes explicitly, never a default (see chapter 5).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// A checked, ready-to-run configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where to accept connections.
    pub listen: SocketAddr,
    /// The web root static files are served from, if any.
    pub root: Option<PathBuf>,
    /// The application servers dynamic requests go to, if any.
    pub upstream: Option<PoolConfig>,
    /// Path prefixes with a pool of their own (`/api/` to the API servers),
    /// checked before everything else; the longest matching prefix wins.
    pub routes: Vec<RouteConfig>,
    /// Which requests are static.
    pub static_rules: StaticRules,
    /// Sites told apart by `Host` (`[[site]]`). Empty: the fields above are
    /// the one site, answering every name (see [`Config::effective_sites`]).
    pub sites: Vec<SiteConfig>,
    /// Who may use the implicit site (with `[[site]]` tables, each has its own).
    pub access: AccessRules,
    /// Script prefixes of the implicit site (`[[cgi]]`).
    pub cgi: Vec<CgiConfig>,
    /// Where the access log goes. [`Config::default`] says nowhere: a
    /// program that embeds miniproxy (the workbook's book server, tests)
    /// owns its stdout. The `miniproxy` command and config files default to
    /// stdout, like nginx's.
    pub access_log: Destination,
    /// The HTTPS listener and each site's certificate (`listen_https`,
    /// chapter 8); `None` serves plain HTTP only.
    pub https: Option<HttpsConfig>,
    /// How many threads accept and serve plain HTTP, each with an event
    /// loop of its own, like nginx's worker processes. One (the default)
    /// serves on the caller's runtime, which is what a program embedding
    /// miniproxy wants; the `miniproxy` command uses one per core.
    pub workers: usize,
    /// Connections served at once; more wait in the kernel's queue
    /// ([`crate::limits::MAX_CONNECTIONS`] unless told otherwise).
    pub max_connections: usize,
}

/// HTTPS in front: where TLS is accepted, and what each site does with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpsConfig {
    /// Where TLS connections are accepted.
    pub listen: SocketAddr,
    /// One per `[[site]]`, in the same order.
    pub sites: Vec<SiteHttps>,
    /// The port clients reach HTTPS on, when it is not `listen`'s (behind
    /// a port forward from 443): redirects name this one.
    pub public_port: Option<u16>,
}

/// One site's HTTPS settings.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SiteHttps {
    /// The certificate chain (PEM, leaf first) and its private key (PEM).
    pub cert: Option<(PathBuf, PathBuf)>,
    /// Plain `http://` requests get a redirect to `https://`.
    pub redirect: bool,
    /// `Strict-Transport-Security: max-age=…` on HTTPS answers.
    pub hsts_max_age: Option<u64>,
}

/// A configuration mistake, with its place when it came from a file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}:{column}: {message}")]
    At {
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{0}")]
    Invalid(String),
}

impl Default for Config {
    /// Loopback on 8080, no access log, nothing to serve yet: add a root, an
    /// upstream, or both.
    fn default() -> Config {
        Config {
            listen: DEFAULT_LISTEN.parse().expect("the default address parses"),
            root: None,
            upstream: None,
            routes: Vec::new(),
            static_rules: StaticRules::default(),
            sites: Vec::new(),
            access: AccessRules::default(),
            cgi: Vec::new(),
            access_log: Destination::Off,
            https: None,
            workers: 1,
            max_connections: crate::limits::MAX_CONNECTIONS,
        }
    }
}

impl Config {
    /// A pure web server: every request is a file under `root`.
    pub fn static_site(root: PathBuf, listen: SocketAddr) -> Config {
        Config {
            listen,
            root: Some(root),
            ..Config::default()
        }
    }

    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        let base = path.parent().unwrap_or(Path::new("."));
        Config::parse(&text, &path.display().to_string(), base)
    }

    /// Parses config text. `name` labels errors; relative paths are taken
    /// from `base` (the config file's folder), so it works from any cwd.
    pub fn parse(text: &str, name: &str, base: &Path) -> Result<Config, ConfigError> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, column) = line_and_column(text, span.start);
            ConfigError::At {
                path: name.to_owned(),
                line,
                column,
                message,
            }
        };
        let file: ConfigFile = toml::from_str(text).map_err(|error| {
            let span = error.span().unwrap_or(0..0);
            at(span, error.message().trim().to_owned())
        })?;

        let listen = match &file.listen {
            Some(value) => parse_listen(value.get_ref()).map_err(|m| at(value.span(), m))?,
            None => Config::default().listen,
        };
        let site = parse_site_parts(
            &at,
            base,
            &file.root,
            &file.upstream,
            &file.rules,
            &file.routes,
            &file.cgi,
        )?;
        let sites = parse_sites(&at, base, &file)?;
        let https = parse_https(&at, base, &file)?;

        let config = Config {
            listen,
            root: site.root,
            upstream: site.upstream,
            routes: site.routes,
            static_rules: site.static_rules,
            sites,
            access: parse_access(&at, &file.access)?,
            cgi: site.cgi,
            access_log: file
                .access_log
                .as_ref()
                .map_or(Destination::Stdout, |value| {
                    Destination::parse(value.get_ref(), base)
                }),
            https,
            workers: 1,
            max_connections: crate::limits::MAX_CONNECTIONS,
        };
        // Each value was checked above, with its place; what is left is
        // whether they add up to something to serve.
        config
            .check_something_to_serve()
            .map_err(|message| ConfigError::At {
                path: name.to_owned(),
                line: 1,
                column: 1,
                message,
            })?;
        Ok(config)
    }

    /// Checks a config assembled in code or changed by flags after loading.
    pub fn check(&self) -> Result<(), String> {
        self.check_something_to_serve()?;
        for site in self.effective_sites() {
            if let Some(root) = &site.root {
                check_root(root)?;
            }
            for prefix in &site.static_rules.prefixes {
                check_prefix(prefix)?;
            }
        }
        if let Destination::File(path) = &self.access_log {
            check_log_folder(path)?;
        }
        // Each certificate read, parsed and matched with its key, so a
        // mistake is found now, not at the first visitor's handshake.
        #[cfg(feature = "tls")]
        if self.https.is_some() {
            crate::tls::CertTable::load(self).map_err(|error| error.to_string())?;
        }
        Ok(())
    }

    fn check_something_to_serve(&self) -> Result<(), String> {
        if !self.sites.is_empty() {
            let top_level = self.root.is_some()
                || self.upstream.is_some()
                || !self.routes.is_empty()
                || !self.cgi.is_empty();
            if top_level {
                return Err(
                    "with [[site]] tables, `root`, `upstream` and `[[route]]` go inside a site"
                        .into(),
                );
            }
        }
        for site in self.effective_sites() {
            if site.root.is_none()
                && site.upstream.is_none()
                && site.routes.is_empty()
                && site.cgi.is_empty()
            {
                let whose = if self.sites.is_empty() {
                    String::new()
                } else {
                    format!("site `{}`: ", site.name)
                };
                return Err(format!("{whose}nothing to serve: set `root` (static files), `upstream` (an application server), or both"));
            }
        }
        Ok(())
    }

    /// The sites to serve: the `[[site]]` tables, or, without any, one
    /// default site named `-` made of the top-level settings (so every
    /// config written before chapter 3 means what it meant).
    pub fn effective_sites(&self) -> Vec<SiteConfig> {
        if !self.sites.is_empty() {
            return self.sites.clone();
        }
        vec![SiteConfig {
            name: "-".into(),
            names: Vec::new(),
            default: true,
            root: self.root.clone(),
            upstream: self.upstream.clone(),
            routes: self.routes.clone(),
            static_rules: self.static_rules.clone(),
            proxy_pass_reverse: true,
            cookie_domain: None,
            access: self.access.clone(),
            cgi: self.cgi.clone(),
        }]
    }
}

/// One site (`[[site]]`): the names it answers to and what it serves.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// For the access log and `--check`.
    pub name: String,
    /// Lower case; exact (`app1.example.com`) or leading wildcard
    /// (`*.example.com`).
    pub names: Vec<String>,
    /// Unknown names and requests without a Host come here.
    pub default: bool,
    pub root: Option<PathBuf>,
    pub upstream: Option<PoolConfig>,
    pub routes: Vec<RouteConfig>,
    pub static_rules: StaticRules,
    /// Rewrite `Location`, `Content-Location` and `URI` answers that name an
    /// upstream to the name the client asked for (Apache's
    /// `ProxyPassReverse`). On unless `proxy_pass_reverse = false`.
    pub proxy_pass_reverse: bool,
    /// `Set-Cookie`'s `Domain=` attribute becomes this (Apache's
    /// `ProxyPassReverseCookieDomain`, nginx's `proxy_cookie_domain`).
    pub cookie_domain: Option<String>,
    /// Who may use the site at all, by address (nginx's `allow`/`deny`).
    pub access: AccessRules,
    /// Script prefixes (`[[cgi]]`), tried before routes and static files.
    pub cgi: Vec<CgiConfig>,
}

/// What a site serves, checked: shared by the top level and `[[site]]`.
struct SiteParts {
    root: Option<PathBuf>,
    upstream: Option<PoolConfig>,
    routes: Vec<RouteConfig>,
    static_rules: StaticRules,
    cgi: Vec<CgiConfig>,
}

type At<'a> = dyn Fn(std::ops::Range<usize>, String) -> ConfigError + 'a;

/// `access = ["allow 192.0.2.0/24", "deny all"]`, each rule checked where it is.
fn parse_access(at: &At, lines: &[Spanned<String>]) -> Result<AccessRules, ConfigError> {
    let mut rules = Vec::new();
    for line in lines {
        rules.push(line.get_ref().parse().map_err(|m| at(line.span(), m))?);
    }
    Ok(AccessRules(rules))
}

fn parse_site_parts(
    at: &At,
    base: &Path,
    root: &Option<Spanned<String>>,
    upstream: &Option<Spanned<toml::Value>>,
    rules: &RulesFile,
    route_files: &[RouteFile],
    cgi_files: &[CgiFile],
) -> Result<SiteParts, ConfigError> {
    let mut cgi = Vec::new();
    for file in cgi_files {
        check_prefix(file.prefix.get_ref()).map_err(|m| at(file.prefix.span(), m))?;
        let scripts = base.join(file.root.get_ref());
        check_root(&scripts).map_err(|m| at(file.root.span(), m))?;
        cgi.push(CgiConfig {
            prefix: format!("{}/", file.prefix.get_ref().trim_end_matches('/')),
            root: scripts,
            idle_timeout: Duration::from_secs(file.timeout_secs.unwrap_or(60).max(1)),
        });
    }
    let root = match root {
        Some(value) => {
            let root = base.join(value.get_ref());
            check_root(&root).map_err(|m| at(value.span(), m))?;
            Some(root)
        }
        None => None,
    };
    let upstream = match upstream {
        Some(value) => Some(parse_pool(value.get_ref()).map_err(|m| at(value.span(), m))?),
        None => None,
    };
    let mut routes = Vec::new();
    for route in route_files {
        let prefix = route.prefix.get_ref();
        check_prefix(prefix).map_err(|m| at(route.prefix.span(), m))?;
        let pool =
            parse_pool(route.upstream.get_ref()).map_err(|m| at(route.upstream.span(), m))?;
        routes.push(RouteConfig {
            prefix: prefix.clone(),
            upstream: pool,
            access: parse_access(at, &route.access)?,
        });
    }
    let mut prefixes = Vec::new();
    for prefix in &rules.prefixes {
        check_prefix(prefix.get_ref()).map_err(|m| at(prefix.span(), m))?;
        prefixes.push(prefix.get_ref().clone());
    }
    let extensions = rules
        .extensions
        .iter()
        .map(|e| normalize_extension(e))
        .collect();
    Ok(SiteParts {
        root,
        upstream,
        routes,
        cgi,
        static_rules: StaticRules {
            prefixes,
            extensions,
        },
    })
}

/// The `[[site]]` tables: names checked, no name in two sites, at most one
/// default, and nothing left at the top level that no site would use.
fn parse_sites(at: &At, base: &Path, file: &ConfigFile) -> Result<Vec<SiteConfig>, ConfigError> {
    if !file.sites.is_empty() {
        let stray = [
            file.root.as_ref().map(|v| v.span()),
            file.upstream.as_ref().map(|v| v.span()),
            file.routes.first().map(|r| r.prefix.span()),
            file.rules.prefixes.first().map(|p| p.span()),
            file.cgi.first().map(|c| c.prefix.span()),
        ];
        if let Some(span) = stray.into_iter().flatten().next() {
            return Err(at(span, "with [[site]] tables, `root`, `upstream`, `[static]` and `[[route]]` go inside a site".into()));
        }
    }
    let mut sites: Vec<SiteConfig> = Vec::new();
    let mut seen: Vec<(String, String)> = Vec::new(); // (name, site)
    for site in &file.sites {
        let mut names = Vec::new();
        for name in &site.names {
            let checked = check_site_name(name.get_ref()).map_err(|m| at(name.span(), m))?;
            if let Some((_, other)) = seen.iter().find(|(n, _)| *n == checked) {
                return Err(at(
                    name.span(),
                    format!("`{checked}` is already a name of site `{other}`"),
                ));
            }
            names.push(checked);
        }
        let default = site.default.as_ref().is_some_and(|d| *d.get_ref());
        let name = match &site.name {
            Some(name) => name.clone(),
            None => names.first().cloned().unwrap_or_else(|| "default".into()),
        };
        if names.is_empty() && !default {
            let span = site.default.as_ref().map_or(0..0, |d| d.span());
            return Err(at(span, format!("site `{name}`: `names` lists at least one name (or it is the `default = true` site)")));
        }
        if default {
            if let Some(other) = sites.iter().find(|s| s.default) {
                let span = site.default.as_ref().map_or(0..0, |d| d.span());
                return Err(at(
                    span,
                    format!(
                        "site `{}` is already the default site; only one can be",
                        other.name
                    ),
                ));
            }
        }
        for checked in &names {
            seen.push((checked.clone(), name.clone()));
        }
        let parts = parse_site_parts(
            at,
            base,
            &site.root,
            &site.upstream,
            &site.rules,
            &site.routes,
            &site.cgi,
        )?;
        if parts.root.is_none()
            && parts.upstream.is_none()
            && parts.routes.is_empty()
            && parts.cgi.is_empty()
        {
            let span = site.names.first().map_or(0..0, |n| n.span());
            return Err(at(
                span,
                format!("site `{name}`: nothing to serve: set `root`, `upstream`, or both"),
            ));
        }
        sites.push(SiteConfig {
            name,
            names,
            default,
            root: parts.root,
            upstream: parts.upstream,
            routes: parts.routes,
            static_rules: parts.static_rules,
            proxy_pass_reverse: site.proxy_pass_reverse.unwrap_or(true),
            cookie_domain: site.cookie_domain.clone(),
            access: parse_access(at, &site.access)?,
            cgi: parts.cgi,
        });
    }
    Ok(sites)
}

/// `listen_https` and the sites' `tls_cert`, `tls_key`, `redirect_to_https`
/// and `hsts_max_age`, each checked where it is written. Whether the files
/// hold a usable certificate is checked by [`Config::check`] (it takes the
/// TLS library, and `--check` runs it).
fn parse_https(
    at: &At,
    base: &Path,
    file: &ConfigFile,
) -> Result<Option<HttpsConfig>, ConfigError> {
    let mut sites = Vec::new();
    for site in &file.sites {
        let cert = match (&site.tls_cert, &site.tls_key) {
            (Some(cert), Some(key)) => Some((base.join(cert.get_ref()), base.join(key.get_ref()))),
            (None, None) => None,
            (Some(one), None) | (None, Some(one)) => return Err(at(
                one.span(),
                "`tls_cert` and `tls_key` go together: the certificate chain and its private key"
                    .into(),
            )),
        };
        sites.push(SiteHttps {
            cert,
            redirect: site
                .redirect_to_https
                .as_ref()
                .is_some_and(|r| *r.get_ref()),
            hsts_max_age: site.hsts_max_age.as_ref().map(|h| *h.get_ref()),
        });
    }
    let asks_for_tls = file.sites.iter().find_map(|site| {
        [
            site.tls_cert.as_ref().map(Spanned::span),
            site.redirect_to_https.as_ref().map(Spanned::span),
            site.hsts_max_age.as_ref().map(Spanned::span),
        ]
        .into_iter()
        .flatten()
        .next()
    });
    let Some(listen) = &file.listen_https else {
        return match asks_for_tls {
            Some(span) => Err(at(
                span,
                "HTTPS settings need `listen_https = \"127.0.0.1:8443\"` at the top level".into(),
            )),
            None => Ok(None),
        };
    };
    if !cfg!(feature = "tls") {
        return Err(at(
            listen.span(),
            "this miniproxy was built without TLS; build it with `--features tls` \
             (cargo run -p miniproxy --features tls -- ...)"
                .into(),
        ));
    }
    let address = parse_listen(listen.get_ref()).map_err(|m| at(listen.span(), m))?;
    if sites.iter().all(|site| site.cert.is_none()) {
        return Err(at(
            listen.span(),
            "`listen_https` needs at least one [[site]] with `tls_cert` and `tls_key`".into(),
        ));
    }
    Ok(Some(HttpsConfig {
        listen: address,
        sites,
        public_port: match &file.https_public_port {
            Some(port) if *port.get_ref() == 0 => {
                return Err(at(
                    port.span(),
                    "`https_public_port` is a port, 1 to 65535".into(),
                ))
            }
            Some(port) => Some(*port.get_ref()),
            None => None,
        },
    }))
}

/// `App1.Example.com` → `app1.example.com`; `*.example.com` stays a
/// wildcard. A port, a path, or a `*` anywhere but in front is refused:
/// such a name could never match a Host.
fn check_site_name(name: &str) -> Result<String, String> {
    let lower = name.trim().to_ascii_lowercase();
    let bare = lower.strip_prefix("*.").unwrap_or(&lower);
    let bare = bare.strip_suffix('.').unwrap_or(bare);
    let valid = !bare.is_empty()
        && !bare.contains('*')
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_')
        && !bare.starts_with('.');
    if !valid {
        return Err(format!(
            "`{name}` is not a site name like app1.example.com or *.example.com (no port, no path)"
        ));
    }
    Ok(if lower.starts_with("*.") {
        format!("*.{bare}")
    } else {
        bare.to_string()
    })
}

/// The file's shape. Unknown keys are errors: a typo such as `upstrem`
/// must not silently turn the proxy into a plain file server.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    listen: Option<Spanned<String>>,
    listen_https: Option<Spanned<String>>,
    https_public_port: Option<Spanned<u16>>,
    root: Option<Spanned<String>>,
    /// An address, or a `[upstream]` table for a pool.
    upstream: Option<Spanned<toml::Value>>,
    access_log: Option<Spanned<String>>,
    #[serde(rename = "static", default)]
    rules: RulesFile,
    #[serde(rename = "route", default)]
    routes: Vec<RouteFile>,
    #[serde(rename = "site", default)]
    sites: Vec<SiteFile>,
    #[serde(default)]
    access: Vec<Spanned<String>>,
    #[serde(rename = "cgi", default)]
    cgi: Vec<CgiFile>,
}

/// A `[[site]]` table: its names and what it serves.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    name: Option<String>,
    #[serde(default)]
    names: Vec<Spanned<String>>,
    default: Option<Spanned<bool>>,
    root: Option<Spanned<String>>,
    upstream: Option<Spanned<toml::Value>>,
    #[serde(rename = "static", default)]
    rules: RulesFile,
    #[serde(rename = "route", default)]
    routes: Vec<RouteFile>,
    proxy_pass_reverse: Option<bool>,
    cookie_domain: Option<String>,
    #[serde(default)]
    access: Vec<Spanned<String>>,
    #[serde(rename = "cgi", default)]
    cgi: Vec<CgiFile>,
    tls_cert: Option<Spanned<String>>,
    tls_key: Option<Spanned<String>>,
    redirect_to_https: Option<Spanned<bool>>,
    hsts_max_age: Option<Spanned<u64>>,
}

/// A `[[route]]` table: a prefix and its own pool.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RouteFile {
    prefix: Spanned<String>,
    upstream: Spanned<toml::Value>,
    #[serde(default)]
    access: Vec<Spanned<String>>,
}

/// A `[[cgi]]` table: scripts under a prefix, like Apache's `ScriptAlias`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CgiFile {
    prefix: Spanned<String>,
    root: Spanned<String>,
    timeout_secs: Option<u64>,
}

/// Requests under `prefix` run the executable scripts in `root` (chapter 4's
/// CGI host, `cgi-runner`, mounted here).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CgiConfig {
    /// Ends with `/`: `/cgi-bin/`.
    pub prefix: String,
    pub root: PathBuf,
    /// The longest silence between two reads of a script's output.
    pub idle_timeout: Duration,
}

/// Requests under `prefix` go to `upstream`, a pool of their own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteConfig {
    pub prefix: String,
    pub upstream: PoolConfig,
    /// Who may use this route (after the site's own rules allowed them).
    pub access: AccessRules,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RulesFile {
    #[serde(default)]
    prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    extensions: Vec<String>,
}

pub fn parse_listen(text: &str) -> Result<SocketAddr, String> {
    text.parse()
        .map_err(|_| format!("`{text}` is not an address like 127.0.0.1:8080"))
}

/// Accepts `127.0.0.1:9000` or `http://127.0.0.1:9000`.
pub fn parse_upstream(text: &str) -> Result<PoolConfig, String> {
    text.parse()
}

/// `upstream = "host:port"` is a pool of one; a table is a whole pool.
fn parse_pool(value: &toml::Value) -> Result<PoolConfig, String> {
    let table = match value {
        toml::Value::String(address) => return parse_upstream(address),
        toml::Value::Table(table) => table.clone(),
        _ => {
            return Err(
                "`upstream` is an address (\"127.0.0.1:9000\") or a [upstream] table".into(),
            )
        }
    };
    let file = PoolFile::deserialize(table).map_err(|e| format!("[upstream]: {}", e.message()))?;
    if file.servers.is_empty() {
        return Err("[upstream]: `servers` lists at least one address".into());
    }
    let servers = file
        .servers
        .iter()
        .map(|line| parse_server(line))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|m| format!("[upstream] servers: {m}"))?;
    let seconds = |name: &str, value: Option<f64>, default: Duration| match value {
        None => Ok(default),
        Some(s) if s > 0.0 && s.is_finite() => Ok(Duration::from_secs_f64(s)),
        Some(_) => Err(format!("[upstream] {name}: a number of seconds above 0")),
    };
    let defaults = PoolConfig::single(servers[0].authority.clone());
    if let Some(check) = &file.health {
        if !check.path.starts_with('/') || check.rise == 0 || check.fall == 0 {
            return Err(
                "[upstream.health]: `path` starts with '/', and `rise` and `fall` are at least 1"
                    .into(),
            );
        }
    }
    Ok(PoolConfig {
        name: file.name.unwrap_or(defaults.name),
        servers,
        strategy: file.strategy.unwrap_or_default(),
        passive: PassivePolicy {
            max_fails: file.max_fails.unwrap_or(defaults.passive.max_fails),
            fail_timeout: seconds(
                "fail_timeout_secs",
                file.fail_timeout_secs,
                defaults.passive.fail_timeout,
            )?,
        },
        active: file.health,
        connect_timeout: seconds(
            "connect_timeout_secs",
            file.connect_timeout_secs,
            defaults.connect_timeout,
        )?,
        read_timeout: seconds(
            "read_timeout_secs",
            file.read_timeout_secs,
            defaults.read_timeout,
        )?,
        host: match file.host.as_deref() {
            None | Some("preserve") => HostHeader::Preserve,
            Some("upstream") => HostHeader::Upstream,
            Some(name) => HostHeader::Fixed(name.to_string()),
        },
        forwarded: file.forwarded.unwrap_or(false),
    })
}

/// The `[upstream]` table's shape.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolFile {
    name: Option<String>,
    #[serde(default)]
    servers: Vec<String>,
    strategy: Option<Strategy>,
    max_fails: Option<u32>,
    fail_timeout_secs: Option<f64>,
    connect_timeout_secs: Option<f64>,
    read_timeout_secs: Option<f64>,
    host: Option<String>,
    forwarded: Option<bool>,
    health: Option<ActiveCheck>,
}

fn check_root(root: &Path) -> Result<(), String> {
    match std::fs::metadata(root) {
        Ok(meta) if meta.is_dir() => Ok(()),
        Ok(_) => Err(format!("root `{}` is not a directory", root.display())),
        Err(error) => Err(format!("root `{}`: {error}", root.display())),
    }
}

/// The access log's folder must exist; the file is created at start.
fn check_log_folder(path: &Path) -> Result<(), String> {
    let folder = match path.parent() {
        Some(folder) if !folder.as_os_str().is_empty() => folder,
        _ => Path::new("."),
    };
    if folder.is_dir() {
        Ok(())
    } else {
        Err(format!(
            "access log `{}`: the folder `{}` does not exist",
            path.display(),
            folder.display()
        ))
    }
}

fn check_prefix(prefix: &str) -> Result<(), String> {
    if prefix.starts_with('/') {
        Ok(())
    } else {
        Err(format!("static prefix `{prefix}` must start with '/'"))
    }
}

/// ".CSS" and "css" mean the same rule.
pub fn normalize_extension(extension: &str) -> String {
    extension
        .trim()
        .trim_start_matches('.')
        .to_ascii_lowercase()
}

fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, "test.toml", Path::new("."))
    }

    #[test]
    fn a_typo_is_reported_with_its_place() {
        let error = parse("upstream = \"127.0.0.1:9000\"\nupstrem = \"x\"\n").unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("test.toml:2:1:"), "{message}");
        assert!(message.contains("upstrem"), "{message}");
    }

    #[test]
    fn a_bad_value_points_at_the_value() {
        let error = parse("upstream = \"127.0.0.1\"\n").unwrap_err();
        assert!(error.to_string().starts_with("test.toml:1:12:"), "{error}");
        let error = parse("upstream = \"x:1\"\nlisten = \"everywhere\"\n").unwrap_err();
        assert!(error.to_string().starts_with("test.toml:2:10:"), "{error}");
    }

    #[test]
    fn defaults_bind_loopback() {
        let config = parse("upstream = \"http://127.0.0.1:9000/\"\n").unwrap();
        assert_eq!(config.listen.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.upstream.unwrap().to_string(),
            "app: 127.0.0.1:9000 (round-robin)"
        );
    }

    #[test]
    fn nothing_to_serve_is_an_error() {
        let error = parse("listen = \"127.0.0.1:1\"\n").unwrap_err();
        assert!(error.to_string().contains("nothing to serve"), "{error}");
    }

    #[test]
    fn the_access_log_goes_to_stdout_unless_told() {
        let config = |extra: &str| parse(&format!("upstream = \"a:1\"\n{extra}")).unwrap();
        assert_eq!(config("").access_log, Destination::Stdout);
        assert_eq!(config("access_log = \"off\"").access_log, Destination::Off);
        assert_eq!(
            config("access_log = \"logs/access.log\"").access_log,
            Destination::File(PathBuf::from("./logs/access.log"))
        );
    }

    #[test]
    fn extensions_are_normalized() {
        let config =
            parse("upstream = \"a:1\"\n[static]\nextensions = [\".CSS\", \"js\"]\n").unwrap();
        assert_eq!(config.static_rules.extensions, ["css", "js"]);
    }

    #[test]
    fn a_pool_table_with_weights_strategy_and_checks() {
        let config = parse(
            "[upstream]\nname = \"shop\"\nservers = [\"127.0.0.1:9001\", \"127.0.0.1:9002 weight=2\"]\n\
             strategy = \"least-connections\"\nread_timeout_secs = 0.5\nhost = \"upstream\"\n\
             [upstream.health]\npath = \"/health\"\ninterval_ms = 100\n",
        )
        .unwrap();
        let pool = config.upstream.unwrap();
        assert_eq!(
            pool.to_string(),
            "shop: 127.0.0.1:9001, 127.0.0.1:9002 weight=2 (least-connections)"
        );
        assert_eq!(pool.read_timeout, Duration::from_millis(500));
        assert_eq!(pool.host, HostHeader::Upstream);
        let check = pool.active.unwrap();
        assert_eq!((check.interval_ms, check.rise, check.fall), (100, 2, 3));
    }

    #[test]
    fn pool_mistakes_point_at_the_upstream_key() {
        let error =
            parse("listen = \"127.0.0.1:1\"\n[upstream]\nservrs = [\"a:1\"]\n").unwrap_err();
        let message = error.to_string();
        assert!(message.starts_with("test.toml:2:1:"), "{message}");
        assert!(message.contains("unknown field `servrs`"), "{message}");
        let error = parse("[upstream]\nservers = [\"a:1 weight=0\"]\n").unwrap_err();
        assert!(error.to_string().contains("weight"), "{error}");
        let error = parse("[upstream]\nservers = []\n").unwrap_err();
        assert!(error.to_string().contains("at least one"), "{error}");
    }

    #[test]
    fn routes_have_their_own_pools() {
        let config = parse(
            "upstream = \"127.0.0.1:9001\"\n\
             [[route]]\nprefix = \"/api/\"\nupstream = \"127.0.0.1:9100\"\n\
             [[route]]\nprefix = \"/admin\"\n[route.upstream]\nservers = [\"127.0.0.1:9200\", \"127.0.0.1:9201\"]\n",
        )
        .unwrap();
        assert_eq!(config.routes.len(), 2);
        assert_eq!(config.routes[0].prefix, "/api/");
        assert_eq!(config.routes[1].upstream.servers.len(), 2);
        let error = parse("[[route]]\nprefix = \"api\"\nupstream = \"a:1\"\n").unwrap_err();
        assert!(error.to_string().starts_with("test.toml:2:10:"), "{error}");
    }

    fn message(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    #[test]
    fn sites_have_names_a_default_and_their_own_pools() {
        let config = parse(
            "[[site]]\nname = \"app1\"\nnames = [\"App1.Example.com\", \"*.Example.com.\"]\n\
             upstream = \"localhost:3000\"\n\
             [[site]]\nnames = [\"app2.example.com\"]\ndefault = true\n\
             upstream = { servers = [\"localhost:8080\"], host = \"upstream\" }\n\
             proxy_pass_reverse = false\ncookie_domain = \"app2.example.com\"\n",
        )
        .unwrap();
        assert_eq!(config.sites.len(), 2);
        let (app1, app2) = (&config.sites[0], &config.sites[1]);
        assert_eq!(app1.name, "app1");
        assert_eq!(app1.names, ["app1.example.com", "*.example.com"]);
        assert!(!app1.default && app1.proxy_pass_reverse);
        assert_eq!(app2.name, "app2.example.com", "the first name, by default");
        assert!(app2.default && !app2.proxy_pass_reverse);
        assert_eq!(app2.cookie_domain.as_deref(), Some("app2.example.com"));
        assert_eq!(app2.upstream.as_ref().unwrap().host, HostHeader::Upstream);
    }

    #[test]
    fn without_sites_the_top_level_is_the_default_site() {
        let config = parse("upstream = \"127.0.0.1:9000\"\n").unwrap();
        let sites = config.effective_sites();
        assert_eq!(sites.len(), 1);
        assert!(sites[0].default && sites[0].names.is_empty());
        assert_eq!(sites[0].name, "-");
    }

    #[test]
    fn site_mistakes_point_at_their_place() {
        let two = "[[site]]\nnames = [\"a.test\"]\nupstream = \"127.0.0.1:1\"\n";
        assert!(message(&format!(
            "{two}[[site]]\nnames = [\"A.test\"]\nupstream = \"127.0.0.1:2\"\n"
        ))
        .starts_with("test.toml:5:10: `a.test` is already a name of site `a.test`"));
        let defaults = "[[site]]\nnames = [\"a.test\"]\ndefault = true\nupstream = \"127.0.0.1:1\"\n\
                        [[site]]\nnames = [\"b.test\"]\ndefault = true\nupstream = \"127.0.0.1:2\"\n";
        assert!(message(defaults)
            .starts_with("test.toml:7:11: site `a.test` is already the default site"));
        for bad in ["a.test:80", "a.*.test", "*", "a test", "http://a.test"] {
            let text = format!("[[site]]\nnames = [\"{bad}\"]\nupstream = \"127.0.0.1:1\"\n");
            let error = message(&text);
            assert!(
                error.starts_with("test.toml:2:10:") && error.contains("not a site name"),
                "{bad}: {error}"
            );
        }
        let stray = format!("upstream = \"127.0.0.1:9\"\n{two}");
        assert!(message(&stray).starts_with("test.toml:1:12: with [[site]] tables"));
        let nameless = "[[site]]\nupstream = \"127.0.0.1:1\"\n";
        assert!(message(nameless).contains("`names` lists at least one name"));
        let empty = "[[site]]\nnames = [\"a.test\"]\n";
        assert!(message(empty).starts_with("test.toml:2:10: site `a.test`: nothing to serve"));
        assert!(
            message("[[site]]\nnames = [\"a.test\"]\nupstrem = \"x\"\n").contains("unknown field")
        );
    }

    #[test]
    fn https_mistakes_point_at_their_place() {
        let site = "[[site]]\nnames = [\"a.test\"]\nupstream = \"127.0.0.1:1\"\n";
        let lonely = format!("{site}tls_cert = \"a.pem\"\n");
        let error = message(&lonely);
        assert!(error.starts_with("test.toml:4:12:"), "{error}");
        assert!(error.contains("go together"), "{error}");
        let no_listener = format!("{site}redirect_to_https = true\n");
        assert!(message(&no_listener).contains("need `listen_https"));
        let no_cert = format!("listen_https = \"127.0.0.1:8443\"\n{site}");
        let error = message(&no_cert);
        if cfg!(feature = "tls") {
            assert!(
                error.contains("at least one [[site]] with `tls_cert`"),
                "{error}"
            );
        } else {
            assert!(error.contains("built without TLS"), "{error}");
        }
    }

    #[cfg(feature = "tls")]
    #[test]
    fn https_settings_are_read_per_site() {
        let config = parse(
            "listen_https = \"127.0.0.1:8443\"\nhttps_public_port = 443\n\
             [[site]]\nnames = [\"a.test\"]\nupstream = \"127.0.0.1:1\"\n\
             tls_cert = \"a.pem\"\ntls_key = \"a-key.pem\"\nredirect_to_https = true\n\
             hsts_max_age = 60\n\
             [[site]]\nnames = [\"b.test\"]\nupstream = \"127.0.0.1:2\"\n",
        )
        .unwrap();
        let https = config.https.unwrap();
        assert_eq!(https.listen.port(), 8443);
        assert_eq!(https.public_port, Some(443));
        assert_eq!(https.sites.len(), 2);
        assert!(https.sites[0].redirect && https.sites[0].cert.is_some());
        assert_eq!(https.sites[0].hsts_max_age, Some(60));
        assert_eq!(https.sites[1], SiteHttps::default());
    }
}
