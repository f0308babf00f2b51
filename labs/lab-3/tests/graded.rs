//! Lab 3's graded tests, one test program so `cargo test -p lab-3` runs
//! them all.
//!
//! Each test starts the real miniproxy with several sites on one port and
//! your function plugged in, in front of real demo-was application servers
//! (one per site, named by its profile), and sends real HTTP over loopback.

#[path = "graded/support.rs"]
mod support;

/// `normalize_host`: chapter 3, "What the Host header says"
#[path = "graded/normalize_host.rs"]
mod normalize_host;
/// `rewrite_location`: chapter 3, "ProxyPassReverse"
#[path = "graded/rewrite_location.rs"]
mod rewrite_location;
/// `select_site`: chapter 3, "Choosing the site"
#[path = "graded/select_site.rs"]
mod select_site;
