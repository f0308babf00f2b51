// Mistake: least-connections that counts requests in flight but forgets
// the weights, so an upstream with twice the capacity is treated as a peer.

use crate::{Candidate, Strategy};

pub use miniproxy::headers::rewrite_request_headers as rewrite_headers;

pub fn choose(strategy: Strategy, candidates: &[Candidate], turn: u64) -> Option<usize> {
    match strategy {
        Strategy::RoundRobin => miniproxy::upstream::balance::choose(strategy, candidates, turn),
        Strategy::LeastConnections => {
            let healthy: Vec<usize> = (0..candidates.len())
                .filter(|&i| candidates[i].healthy)
                .collect();
            let least = healthy.iter().map(|&i| candidates[i].active).min()?;
            let tied: Vec<usize> = healthy
                .into_iter()
                .filter(|&i| candidates[i].active == least)
                .collect();
            Some(tied[(turn % tied.len() as u64) as usize])
        }
    }
}
