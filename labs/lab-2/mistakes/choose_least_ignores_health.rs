// Mistake: least-connections over every upstream. A stopped upstream has
// nothing in flight, so it looks like the least busy of all.

use crate::{Candidate, Strategy};

pub use miniproxy::headers::rewrite_request_headers as rewrite_headers;

pub fn choose(strategy: Strategy, candidates: &[Candidate], turn: u64) -> Option<usize> {
    match strategy {
        Strategy::RoundRobin => miniproxy::upstream::balance::choose(strategy, candidates, turn),
        Strategy::LeastConnections => {
            let least = candidates.iter().map(|c| c.active).min()?;
            let tied: Vec<usize> = (0..candidates.len())
                .filter(|&i| candidates[i].active == least)
                .collect();
            Some(tied[(turn % tied.len() as u64) as usize])
        }
    }
}
