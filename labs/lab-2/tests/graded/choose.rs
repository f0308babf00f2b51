//! Graded: `choose`, through the real proxy in front of demo-was a, b and c.
//! Each answer's `x-profile` header says which one answered.

use miniproxy::Strategy;

use crate::support::{counts, describe, fail, show, Bench, Yours};

const SECTION: &str = "Spreading the load";

#[tokio::test]
async fn round_robin_takes_turns() {
    let bench = Bench::start(Yours::Choose).await;
    let spread = bench.spread(30, SECTION, "200 from demo-was").await;
    if spread != counts(&[("a", 10), ("b", 10), ("c", 10)]) {
        fail(
            "30 × GET /hello, round-robin over a, b, c",
            "a: 10, b: 10, c: 10",
            &show(&spread),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn weights_give_more_turns() {
    let bench = Bench::with(Yours::Choose, Strategy::RoundRobin, [2, 1, 1]).await;
    let spread = bench.spread(20, SECTION, "200 from demo-was").await;
    if spread != counts(&[("a", 10), ("b", 5), ("c", 5)]) {
        fail(
            "20 × GET /hello, round-robin, weights a=2 b=1 c=1",
            "a: 10, b: 5, c: 5",
            &show(&spread),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn round_robin_skips_an_unhealthy_upstream() {
    let mut bench = Bench::start(Yours::Choose).await;
    bench.stop_app("b").await;
    let request = "30 × GET /hello, round-robin, demo-was b stopped";
    let expected =
        "every request answered by a or c (b is unhealthy once a connection to it failed)";
    let spread = bench.spread(30, SECTION, expected).await;
    if spread.contains_key("b") || spread.values().sum::<usize>() != 30 {
        fail(request, expected, &show(&spread), SECTION);
    }
    bench.stop().await;
}

#[tokio::test]
async fn least_connections_avoids_a_busy_upstream() {
    let bench = Bench::with(Yours::Choose, Strategy::LeastConnections, [1, 1, 1]).await;
    // Turn 0 of an idle pool goes to a. /slow answers "started" at once and
    // the rest after 10 s: once "started" is here, a has one in flight.
    let held = bench.start_slow_request().await;
    let request = "10 × GET /hello, least-connections, while a answers a slow request";
    let spread = bench.spread(10, SECTION, "200 from demo-was b or c").await;
    if spread != counts(&[("b", 5), ("c", 5)]) {
        fail(
            request,
            "b: 5, c: 5 (a has one in flight; b and c tie at none and take turns)",
            &show(&spread),
            SECTION,
        );
    }
    drop(held);
    bench.stop().await;
}

#[tokio::test]
async fn least_connections_weighs_the_load() {
    let bench = Bench::with(Yours::Choose, Strategy::LeastConnections, [2, 1, 1]).await;
    // One slow request held on each of a, b and c (which one each lands on
    // is your choice; the three end up spread one per upstream).
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(bench.start_slow_request().await);
    }
    // Now a (weight 2) carries 1 for 2 shares, b and c 1 for 1 share each:
    // a is the least loaded, and gets every new request.
    let spread = bench.spread(4, SECTION, "200 from demo-was a").await;
    if spread != counts(&[("a", 4)]) {
        fail(
            "4 × GET /hello, least-connections, weights a=2 b=1 c=1, one request in flight on each",
            "a: 4 (1 in flight for weight 2 is less than 1 for weight 1)",
            &show(&spread),
            SECTION,
        );
    }
    drop(held);
    bench.stop().await;
}

#[tokio::test]
async fn least_connections_takes_turns_on_a_tie() {
    let bench = Bench::with(Yours::Choose, Strategy::LeastConnections, [1, 1, 1]).await;
    let spread = bench.spread(30, SECTION, "200 from demo-was").await;
    if spread != counts(&[("a", 10), ("b", 10), ("c", 10)]) {
        fail(
            "30 × GET /hello, one at a time, least-connections",
            "a: 10, b: 10, c: 10 (all idle every time: a tie, so they take turns)",
            &show(&spread),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn least_connections_skips_an_unhealthy_upstream() {
    let mut bench = Bench::with(Yours::Choose, Strategy::LeastConnections, [1, 1, 1]).await;
    bench.stop_app("a").await;
    let expected = "every request answered by b or c";
    let spread = bench.spread(20, SECTION, expected).await;
    if spread.contains_key("a") {
        fail(
            "20 × GET /hello, least-connections, demo-was a stopped",
            expected,
            &show(&spread),
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn no_healthy_upstream_is_a_bad_gateway() {
    let mut bench = Bench::start(Yours::Choose).await;
    for profile in ["a", "b", "c"] {
        bench.stop_app(profile).await;
    }
    let answer = bench.request("/hello", &[]).await;
    if answer.status != 502 || !answer.text().contains("no healthy upstream") {
        fail(
            "GET /hello with a, b and c all stopped",
            "502 from miniproxy: no healthy upstream left (choose returned None)",
            &describe(&answer),
            SECTION,
        );
    }
    bench.stop().await;
}
