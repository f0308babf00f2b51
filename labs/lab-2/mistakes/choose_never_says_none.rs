// Mistake: when no upstream is healthy, picks the first one anyway instead
// of saying None. The proxy cannot send a request to an upstream it knows
// is down: the answer should be a clear 502, "no healthy upstream".

use crate::{Candidate, Strategy};

pub use miniproxy::headers::rewrite_request_headers as rewrite_headers;

pub fn choose(strategy: Strategy, candidates: &[Candidate], turn: u64) -> Option<usize> {
    match miniproxy::upstream::balance::choose(strategy, candidates, turn) {
        Some(i) => Some(i),
        None if candidates.is_empty() => None,
        None => Some(0),
    }
}
