// Mistake: plain round-robin over the healthy upstreams, every one getting
// one turn whatever its weight.

use crate::{Candidate, Strategy};

pub use miniproxy::headers::rewrite_request_headers as rewrite_headers;

pub fn choose(strategy: Strategy, candidates: &[Candidate], turn: u64) -> Option<usize> {
    let healthy: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].healthy)
        .collect();
    if healthy.is_empty() {
        return None;
    }
    match strategy {
        Strategy::RoundRobin => Some(healthy[(turn % healthy.len() as u64) as usize]),
        Strategy::LeastConnections => healthy.into_iter().min_by_key(|&i| candidates[i].active),
    }
}
