// Mistake: least-connections that takes the first of the least busy. In a
// quiet pool every upstream has none in flight, so the first one gets every
// request and the others idle.

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
        Strategy::RoundRobin => {
            let total: u64 = healthy.iter().map(|&i| candidates[i].weight as u64).sum();
            let mut slot = turn % total;
            for &i in &healthy {
                if slot < candidates[i].weight as u64 {
                    return Some(i);
                }
                slot -= candidates[i].weight as u64;
            }
            None
        }
        Strategy::LeastConnections => healthy.into_iter().min_by_key(|&i| candidates[i].active),
    }
}
