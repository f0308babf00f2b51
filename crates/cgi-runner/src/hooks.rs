//! The pluggable pieces: the functions labs 4 and 5 ask the learner to write.
//!
//! The engine calls these for every request. By default they are this
//! crate's own; a lab swaps in the learner's, and the graded tests run this
//! real CGI host, with real scripts, with the learner's code inside.

use http::HeaderMap;

use crate::head::{self, BadHead, Reply};
use crate::meta::{self, ScriptRequest};

// ANCHOR: hooks
/// The four decisions the engine asks about: two to build the script's
/// environment (lab 4), two to read its answer (lab 5).
#[derive(Debug, Clone, Copy)]
pub struct Hooks {
    /// What the server knows → meta-variables. See [`meta::request_variables`].
    pub request_variables: fn(&ScriptRequest) -> Vec<(String, String)>,
    /// The client's headers → `HTTP_*` and friends. See [`meta::header_variables`].
    pub header_variables: fn(&HeaderMap) -> Vec<(String, String)>,
    /// Where does the script's header block end? See [`head::end_of_head`].
    pub end_of_head: fn(&[u8]) -> Option<(usize, usize)>,
    /// What does it ask for? See [`head::parse_head`].
    pub parse_head: fn(&str) -> Result<Reply, BadHead>,
}
// ANCHOR_END: hooks

impl Default for Hooks {
    fn default() -> Hooks {
        Hooks {
            request_variables: meta::request_variables,
            header_variables: meta::header_variables,
            end_of_head: head::end_of_head,
            parse_head: head::parse_head,
        }
    }
}

/// Runs a hook; a panic (an unfinished `todo!()` in a lab) becomes an
/// error message instead of a dropped connection (see the `guarded` crate).
pub(crate) use guarded::guarded;
