//! The pluggable decisions: the pieces a lab asks the learner to write.
//!
//! The server calls these functions for every request. By default they are
//! miniproxy's own; a lab swaps in the learner's, and the graded tests then
//! run this real server with the learner's code inside it.

use std::net::IpAddr;
use std::path::PathBuf;

use http::HeaderMap;

use crate::files::{self, Refused};
use crate::headers;
use crate::https;
use crate::routing::{self, Route, StaticRules};
use crate::sites::{self, SiteNames};
use crate::upstream::balance::{self, Candidate, Strategy};

/// The functions the server asks "which file?", "static or dynamic?",
/// "what does the upstream see?", "which upstream?", "which site?" and
/// "does this redirect name the upstream?", and, for HTTPS, "which
/// certificate?" and "where on HTTPS?".
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    /// URL path → relative file path, or a refusal. See [`files::resolve`].
    pub resolve: fn(&str) -> Result<PathBuf, Refused>,
    /// Static or dynamic? See [`routing::classify`].
    pub classify: fn(&StaticRules, &str) -> Route,
    /// The request headers as the upstream should see them. See
    /// [`headers::rewrite_request_headers`].
    pub rewrite_headers: fn(&mut HeaderMap, IpAddr),
    /// Which upstream of the pool answers. See [`balance::choose`].
    pub choose: fn(Strategy, &[Candidate], u64) -> Option<usize>,
    /// `Host` as a name to compare. See [`sites::normalize_host`].
    pub normalize_host: fn(&str) -> Option<String>,
    /// Which site answers a name. See [`sites::select_site`].
    pub select_site: fn(&[SiteNames], Option<&str>) -> Option<usize>,
    /// A `Location` on the upstream, on the public name instead. See
    /// [`sites::rewrite_location`].
    pub rewrite_location: fn(&str, &str, &str) -> Option<String>,
    /// Which site's certificate a TLS hello gets, by its SNI name. See
    /// [`https::select_certificate`].
    pub select_certificate: fn(&[SiteNames], Option<&str>) -> Option<usize>,
    /// Where a plain HTTP request is redirected on HTTPS. See
    /// [`https::https_redirect`].
    pub https_redirect: fn(&str, &str, u16) -> String,
}

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            resolve: files::resolve,
            classify: routing::classify,
            rewrite_headers: headers::rewrite_request_headers,
            choose: balance::choose,
            normalize_host: sites::normalize_host,
            select_site: sites::select_site,
            rewrite_location: sites::rewrite_location,
            select_certificate: https::select_certificate,
            https_redirect: https::https_redirect,
        }
    }
}

/// Runs a hook; a panic (an unfinished `todo!()` in a lab) becomes an
/// error message instead of a dropped connection (see the `guarded` crate).
pub(crate) use guarded::guarded;
