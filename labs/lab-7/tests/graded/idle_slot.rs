//! `idle_slot`: the rules, then real deploys that alternate behind miniproxy.

use lab_7::Slot;
use testkit::load::Load;

use crate::support::{self, call, fail, Bench, Yours};

const SECTION: &str = "Which slot is idle?";

fn slots() -> Vec<Slot> {
    vec![Slot::new("blue", 8081), Slot::new("green", 8082)]
}

fn check(slots: &[Slot], port: Option<u16>, profile: Option<&str>, expected: Result<usize, ()>) {
    let got = call(|| lab_7::idle_slot(slots, port, profile));
    let names: Vec<String> = slots
        .iter()
        .map(|s| format!("{}:{}", s.name, s.port))
        .collect();
    let request = format!(
        "idle_slot([{}], front_port {port:?}, profile {profile:?})",
        names.join(", ")
    );
    let ok = match (&got, &expected) {
        (Ok(Ok(a)), Ok(b)) => a == b,
        (Ok(Err(_)), Err(())) => true,
        _ => false,
    };
    if !ok {
        let expected = match expected {
            Ok(i) => format!("Ok({i}): {}", slots[i].name),
            Err(()) => "Err(..): refuse, the answer is not certain".into(),
        };
        let got = match got {
            Ok(Ok(i)) => format!("Ok({i})"),
            Ok(Err(why)) => format!("Err({why:?})"),
            Err(panic) => panic,
        };
        fail(request, expected, got, SECTION);
    }
}

#[test]
fn the_first_deploy_goes_to_the_first_slot() {
    check(&slots(), None, None, Ok(0));
}

#[test]
fn the_idle_slot_is_the_one_the_front_does_not_use() {
    check(&slots(), Some(8081), Some("blue\n"), Ok(1));
    check(&slots(), Some(8082), Some("green\n"), Ok(0));
    let three = vec![Slot::new("a", 1), Slot::new("b", 2), Slot::new("c", 3)];
    check(&three, Some(2), Some("b"), Ok(2));
    check(&three, Some(3), Some("c"), Ok(0));
}

#[test]
fn a_live_copy_that_does_not_answer_still_leaves_the_other_slot() {
    check(&slots(), Some(8082), None, Ok(0));
}

#[test]
fn a_profile_that_disagrees_with_the_front_is_refused() {
    check(&slots(), Some(8081), Some("green\n"), Err(()));
    check(&slots(), Some(8082), Some("blue"), Err(()));
}

#[test]
fn a_port_of_no_slot_and_a_single_slot_are_refused() {
    check(&slots(), Some(9999), None, Err(()));
    check(&[Slot::new("blue", 8081)], None, None, Err(()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deploys_alternate_slots_behind_the_real_front() {
    let bench = Bench::miniproxy().await;
    let hooks = support::hooks(Yours::IdleSlot);
    let mut load: Option<Load> = None;
    let mut used = Vec::new();
    for version in ["1", "2", "3", "4"] {
        let report = match bench.deploy(hooks, support::app(version, 0)).await {
            Ok(report) => report,
            Err(why) => fail(
                format!("switcher deploy of version {version} with your idle_slot"),
                format!("version {version} serves"),
                format!("the deploy failed: {why}"),
                SECTION,
            ),
        };
        used.push(report.live.name.clone());
        let now = bench.version().await;
        if now != version {
            fail(
                format!("GET /version through the front after deploying version {version}"),
                version,
                now,
                SECTION,
            );
        }
        if load.is_none() {
            load = Some(Load::start(bench.front, 4));
        }
    }
    let tally = load.expect("started").finish().await;
    if used != ["green", "blue", "green", "blue"] || !tally.failures.is_empty() {
        fail(
            "four deploys in a row, clients sending requests all along",
            "the slots alternate, green, blue, green, blue, and no request fails",
            format!(
                "slots {used:?}; failed requests: {:?}",
                tally.failures.iter().take(3).collect::<Vec<_>>()
            ),
            SECTION,
        );
    }
}
