//! Which upstream gets the next request: the load balancer's one decision.
//!
//! A pool holds several copies of the application. For every request the
//! proxy asks [`choose`] which one should answer, given what it knows about
//! each ([`Candidate`]): is it healthy, how many requests is it busy with,
//! how much of the load should it get. Two strategies cover most real
//! setups, and they are nginx's two most used:
//!
//! * **round-robin** (nginx's default): take turns. With weights, an
//!   upstream of weight 2 gets two turns for every one of a weight-1 peer.
//!   It needs no information about the upstreams at all, which is its
//!   strength; its weakness is that a slow request and a fast one count the
//!   same.
//! * **least-connections** (`least_conn`): send the request to the upstream
//!   with the fewest requests in flight, relative to its weight. It notices
//!   a slow upstream, because the slow one's requests pile up.
//!
//! An unhealthy upstream is never chosen, whatever the strategy: that is how
//! one stopped copy of the application turns into "the others answer"
//! instead of "one request in three fails".

use serde::Deserialize;

/// How a pool spreads its requests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Take turns, in proportion to the weights.
    #[default]
    RoundRobin,
    /// The fewest requests in flight for its weight; ties take turns.
    LeastConnections,
}

/// What the balancer knows about one upstream of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// False while health checks say it is down: it must not be chosen.
    pub healthy: bool,
    /// Requests it is answering right now.
    pub active: usize,
    /// Its share of the load, at least 1 (`weight=2` gets twice the turns).
    pub weight: u32,
}

// ANCHOR: choose
/// Picks the index of the upstream that answers the next request, or
/// `None` when no candidate is healthy.
///
/// `turn` counts the pool's requests (0, 1, 2, …); it is what makes
/// round-robin take turns without keeping any other state.
pub fn choose(strategy: Strategy, candidates: &[Candidate], turn: u64) -> Option<usize> {
    // Only healthy upstreams take part, in their order in the pool.
    let healthy: Vec<usize> = (0..candidates.len())
        .filter(|&i| candidates[i].healthy)
        .collect();
    if healthy.is_empty() {
        return None;
    }
    match strategy {
        Strategy::RoundRobin => Some(weighted_turn(candidates, &healthy, turn)),
        Strategy::LeastConnections => {
            // Fewest in flight *for its weight*: compare active/weight by
            // cross-multiplying, which stays in whole numbers.
            let load = |i: usize| {
                (
                    candidates[i].active as u64,
                    candidates[i].weight.max(1) as u64,
                )
            };
            let least: Vec<usize> = healthy
                .iter()
                .copied()
                .filter(|&i| {
                    let (active, weight) = load(i);
                    healthy.iter().all(|&j| {
                        let (other, other_weight) = load(j);
                        active * other_weight <= other * weight
                    })
                })
                .collect();
            // On a tie (an idle pool, say) take turns among the least busy,
            // or every request of a quiet pool would go to the first one.
            Some(weighted_turn(candidates, &least, turn))
        }
    }
}

/// Round-robin over `among` in proportion to the weights: of every
/// `total weight` turns, each upstream gets `weight` of them, in order.
fn weighted_turn(candidates: &[Candidate], among: &[usize], turn: u64) -> usize {
    let total: u64 = among
        .iter()
        .map(|&i| candidates[i].weight.max(1) as u64)
        .sum();
    let mut slot = turn % total;
    for &i in among {
        let weight = candidates[i].weight.max(1) as u64;
        if slot < weight {
            return i;
        }
        slot -= weight;
    }
    among[0] // unreachable: the slots add up to `total`
}
// ANCHOR_END: choose

#[cfg(test)]
mod tests {
    use super::*;

    fn up(active: usize, weight: u32) -> Candidate {
        Candidate {
            healthy: true,
            active,
            weight,
        }
    }

    fn down() -> Candidate {
        Candidate {
            healthy: false,
            active: 0,
            weight: 1,
        }
    }

    fn picks(strategy: Strategy, candidates: &[Candidate], turns: u64) -> Vec<usize> {
        (0..turns)
            .map(|turn| choose(strategy, candidates, turn).unwrap())
            .collect()
    }

    #[test]
    fn round_robin_takes_turns_and_skips_the_unhealthy() {
        let pool = [up(0, 1), up(0, 1), up(0, 1)];
        assert_eq!(picks(Strategy::RoundRobin, &pool, 6), [0, 1, 2, 0, 1, 2]);
        let pool = [up(0, 1), down(), up(0, 1)];
        assert_eq!(picks(Strategy::RoundRobin, &pool, 4), [0, 2, 0, 2]);
    }

    #[test]
    fn weights_give_more_turns() {
        let pool = [up(0, 2), up(0, 1)];
        assert_eq!(picks(Strategy::RoundRobin, &pool, 6), [0, 0, 1, 0, 0, 1]);
    }

    #[test]
    fn least_connections_avoids_the_busy_and_shares_ties() {
        let pool = [up(3, 1), up(0, 1), up(1, 1)];
        assert_eq!(picks(Strategy::LeastConnections, &pool, 3), [1, 1, 1]);
        let idle = [up(0, 1), up(0, 1)];
        assert_eq!(picks(Strategy::LeastConnections, &idle, 4), [0, 1, 0, 1]);
        // 2 in flight on weight 2 is as loaded as 1 on weight 1.
        let weighted = [up(2, 2), up(1, 1), up(2, 1)];
        assert_eq!(picks(Strategy::LeastConnections, &weighted, 3), [0, 0, 1]);
    }

    #[test]
    fn nobody_healthy_is_none() {
        assert_eq!(choose(Strategy::RoundRobin, &[down(), down()], 0), None);
        assert_eq!(choose(Strategy::LeastConnections, &[], 0), None);
    }
}
