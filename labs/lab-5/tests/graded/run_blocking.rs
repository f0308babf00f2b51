//! Graded: `run_blocking`, a blocking handler served from the async server.

use crate::support::{fail, said, shown, Bench, RUNTIME_THREADS, SLOTS};

#[tokio::test]
async fn a_blocking_handler_answers_with_its_body() {
    let bench = Bench::start();
    let answer = bench.answer(bench.send("quick-1")).await;
    if !matches!(&answer, Some(a) if a.status == 200 && a.text() == "done quick-1\n") {
        fail(
            "GET /blocking?id=quick-1 (a handler that returns at once)",
            "200 with the handler's body \"done quick-1\\n\"",
            shown(&answer),
        );
    }
    bench.stop();
}

#[tokio::test]
async fn as_many_handlers_run_at_once_as_there_are_slots() {
    let bench = Bench::start();
    let request = format!(
        "{} requests at once to a handler that blocks until released, {SLOTS} slots",
        2 * SLOTS
    );
    let ids: Vec<String> = (0..2 * SLOTS).map(|n| format!("hold-{n}")).collect();
    let sent: Vec<_> = ids.iter().map(|id| bench.send(id)).collect();
    // All the slots fill up...
    if let Err(stats) = bench.wait_for(|s| s.busy >= SLOTS).await {
        fail(
            &request,
            &format!("{SLOTS} handlers running at once, the other {SLOTS} waiting"),
            format!("never {SLOTS} at once: {}", said(&stats)),
        );
    }
    // ...then the handlers finish one at a time, and each freed slot goes
    // to a waiting request, never to one more than the slots.
    let mut released: Vec<String> = Vec::new();
    for step in 1..=ids.len() {
        let next = bench
            .started()
            .into_iter()
            .find(|id| !released.contains(id))
            .unwrap_or_default();
        bench.release(&next);
        released.push(next);
        let _ = bench.wait_for(|s| s.answered >= step).await;
        let stats = bench.stats();
        if stats.most_busy > SLOTS {
            fail(
                &request,
                &format!("never more than {SLOTS} handlers running at once"),
                said(&stats),
            );
        }
    }
    let mut answered = 0;
    for sent in sent {
        if matches!(bench.answer(sent).await, Some(a) if a.status == 200) {
            answered += 1;
        }
    }
    let stats = bench.stats();
    if stats.most_busy != SLOTS || answered != ids.len() {
        fail(
            &request,
            &format!(
                "exactly {SLOTS} handlers running at once at the most, and all {} answered 200",
                ids.len()
            ),
            format!("{answered} answered 200; {}", said(&stats)),
        );
    }
    bench.stop();
}

#[tokio::test]
async fn the_server_answers_a_probe_while_handlers_block() {
    let bench = Bench::start();
    let request =
        format!("{SLOTS} requests to a handler that blocks until released, then GET /health");
    let _sent: Vec<_> = (0..SLOTS)
        .map(|n| bench.send(&format!("hold-{n}")))
        .collect();
    // Once as many handlers block as the runtime has threads, a server that
    // ran them on its runtime threads has none left to answer with.
    if let Err(stats) = bench.wait_for(|s| s.busy >= RUNTIME_THREADS).await {
        fail(
            &request,
            &format!("{SLOTS} handlers blocking, and the probe answered"),
            format!(
                "the handlers never got going ({}): a handler that blocks a runtime \
                 thread stops the server from even reading the next request",
                said(&stats)
            ),
        );
    }
    let probe = bench.probe().await;
    if !matches!(&probe, Some(a) if a.status == 200) {
        fail(
            &request,
            "200 from /health while the handlers block: they block worker threads, \
             never the runtime's",
            format!("{} ({})", shown(&probe), said(&bench.stats())),
        );
    }
    bench.stop();
}

#[tokio::test]
async fn a_panicking_handler_is_answered_500() {
    let bench = Bench::start();
    let answer = bench.answer(bench.send("panic-1")).await;
    let expected = "500 Internal Server Error: the handler panicked: boom from panic-1";
    if !matches!(&answer, Some(a) if a.status == 500 && a.text().trim_end().ends_with("the handler panicked: boom from panic-1"))
    {
        fail(
            "GET /blocking?id=panic-1 (a handler that panics with \"boom from panic-1\")",
            &format!("{expected:?}: Err(JobFailed::Panicked(message)), and your function itself does not panic"),
            shown(&answer),
        );
    }
    let probe = bench.probe().await;
    if !matches!(&probe, Some(a) if a.status == 200) {
        fail(
            "GET /blocking?id=panic-1, then GET /health",
            "the server keeps serving after a handler panicked",
            shown(&probe),
        );
    }
    bench.stop();
}

#[tokio::test]
async fn a_panicking_handler_gives_its_slot_back() {
    let bench = Bench::start();
    let request = format!(
        "GET /blocking?id=panic-1 (a handler that panics), then {SLOTS} requests \
         to a handler that blocks until released"
    );
    let answer = bench.answer(bench.send("panic-1")).await;
    if !matches!(&answer, Some(a) if a.status == 500) {
        fail(&request, "a 500 for the panic", shown(&answer));
    }
    // Every slot must be usable again: all of them fill up.
    let _sent: Vec<_> = (0..SLOTS)
        .map(|n| bench.send(&format!("hold-{n}")))
        .collect();
    if let Err(stats) = bench.wait_for(|s| s.busy == SLOTS && s.free == 0).await {
        fail(
            &request,
            &format!("all {SLOTS} slots in use again: the panic gave its slot back"),
            format!("a slot leaked: {}", said(&stats)),
        );
    }
    bench.stop();
}

#[tokio::test]
async fn a_slot_stays_taken_until_its_handler_returns() {
    let bench = Bench::start();
    let request = format!(
        "{SLOTS} requests to a handler that blocks until released; the client of \
         hold-0 goes away while its handler still runs"
    );
    let leaving = bench.send_and_keep("hold-0").await;
    let _sent: Vec<_> = (1..SLOTS)
        .map(|n| bench.send(&format!("hold-{n}")))
        .collect();
    if let Err(stats) = bench.wait_for(|s| s.busy == SLOTS).await {
        fail(&request, &format!("{SLOTS} handlers running"), said(&stats));
    }
    drop(leaving);
    if let Err(stats) = bench.wait_for(|s| s.abandoned == 1).await {
        fail(
            &request,
            "the server notices that the client went away",
            said(&stats),
        );
    }
    // hold-0's handler still runs (it blocks until released): its slot must
    // still be taken, or one more handler than the slots could start.
    let stats = bench.stats();
    if stats.busy != SLOTS || stats.free != 0 {
        fail(
            &request,
            &format!(
                "all {SLOTS} slots still taken: hold-0's handler is still running, \
                 whoever waits for its answer"
            ),
            said(&stats),
        );
    }
    bench.stop();
}

#[tokio::test]
async fn a_request_whose_client_left_while_waiting_never_runs() {
    let bench = Bench::start();
    let request = format!(
        "{SLOTS} requests that block until released fill the slots; a client asks \
         for gone-1 and leaves while it waits; hold-0 is released; then fresh-1 comes"
    );
    let held: Vec<_> = (0..SLOTS)
        .map(|n| bench.send(&format!("hold-{n}")))
        .collect();
    if let Err(stats) = bench.wait_for(|s| s.busy == SLOTS).await {
        fail(&request, &format!("{SLOTS} handlers running"), said(&stats));
    }
    let leaving = bench.send_and_keep("gone-1").await;
    if let Err(stats) = bench.wait_for(|s| s.arrived == SLOTS + 1).await {
        fail(&request, "gone-1 reaches the pool and waits", said(&stats));
    }
    drop(leaving);
    if let Err(stats) = bench.wait_for(|s| s.abandoned == 1).await {
        fail(
            &request,
            "the server notices that gone-1's client went away",
            said(&stats),
        );
    }
    bench.release("hold-0");
    let mut held = held.into_iter();
    let first = held.next().expect("three were sent");
    if bench.answer(first).await.is_none() {
        fail(
            &request,
            "hold-0 answered once released",
            said(&bench.stats()),
        );
    }
    let _fresh = bench.send("fresh-1");
    let started = bench
        .wait_for(|_| bench.started().iter().any(|id| id == "fresh-1"))
        .await;
    let ran_gone = bench.started().iter().any(|id| id == "gone-1");
    if started.is_err() || ran_gone {
        fail(
            &request,
            "fresh-1 runs in hold-0's slot; gone-1 never runs: nobody waits for its answer",
            format!(
                "handlers started: {} ({})",
                bench.started().join(", "),
                said(&bench.stats())
            ),
        );
    }
    bench.stop();
}
