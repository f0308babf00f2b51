//! # miniproxy: the web server that stands in front
//!
//! A small, readable version of what nginx or Apache does in front of an
//! application server (a WAS):
//!
//! * it answers **static** requests (stylesheets, images, HTML files) straight
//!   from disk, without waking the application ([`files`]);
//! * it **forwards** every other, *dynamic* request to the application server
//!   behind it and streams the answer back ([`forward`]);
//! * a small rule set decides which is which ([`routing`]).
//!
//! Around those, what makes it fit to face real clients: requests are
//! checked first ([`validate`]), what one client may cost is bounded
//! ([`limits`]), files can be sent in parts ([`ranges`]), and every answer
//! gets a line in the [`access_log`]. One address can serve several
//! sites, chosen by the request's `Host` ([`sites`]).
//!
//! The two decisions a learner writes in lab 1, "which file does this URL
//! mean?" and "is this request static or dynamic?", are plain functions held
//! in [`Hooks`], so the graded tests can run this real server with the
//! learner's code plugged in.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use miniproxy::{Config, Hooks};
//! let config = Config::static_site("book/build".into(), "127.0.0.1:3000".parse().unwrap());
//! let running = miniproxy::start(config, Hooks::default()).await?;
//! println!("serving on http://{}", running.local_addr());
//! running.stop().await;
//! # Ok(()) }
//! ```

pub mod access;
pub mod access_log;
pub mod admin;
pub mod bodies;
pub mod config;
pub mod files;
pub mod forward;
pub mod headers;
pub mod hooks;
pub mod https;
pub mod limits;
pub mod live;
pub mod ranges;
pub mod reload;
pub mod response;
pub mod routing;
pub mod server;
pub mod sites;
#[cfg(feature = "tls")]
pub mod tls;
pub mod upstream;
pub mod validate;

pub use config::{Config, ConfigError};
pub use files::Refused;
pub use hooks::Hooks;
pub use routing::{Route, StaticRules};
pub use server::{start, start_live, start_servers, Running, Servers};
pub use sites::SiteNames;
pub use upstream::balance::{Candidate, Strategy};
pub use upstream::PoolConfig;
