//! `wait_healthy`: the rules on a pretend clock, then a slow starter
//! deployed behind miniproxy under load.

use std::time::Duration;

use lab_7::{Health, Patience, Waiting};
use testkit::load::Load;

use crate::support::{self, call, fail, Bench, Yours, PRETEND_LIMIT};

const SECTION: &str = "Healthy before traffic";

/// Answers from a script; records when each check happened.
struct Script {
    answers: Vec<Health>,
    now: Duration,
    checks: Vec<Duration>,
}

impl Waiting for Script {
    fn probe(&mut self) -> Health {
        assert!(
            self.now < PRETEND_LIMIT,
            "still checking after an hour of pretend time"
        );
        self.checks.push(self.now);
        let n = self.checks.len() - 1;
        self.answers
            .get(n)
            .or(self.answers.last())
            .cloned()
            .unwrap_or(Health::Up)
    }
    fn elapsed(&self) -> Duration {
        self.now
    }
    fn sleep(&mut self, pause: Duration) {
        self.now += pause;
    }
}

fn run(answers: Vec<Health>, patience: Patience) -> (Result<Result<u32, String>, String>, Script) {
    let mut script = Script {
        answers,
        now: Duration::ZERO,
        checks: Vec::new(),
    };
    let result = call(|| lab_7::wait_healthy(&mut script, patience));
    (result, script)
}

fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}

fn times(checks: &[Duration]) -> String {
    let shown: Vec<String> = checks
        .iter()
        .take(12)
        .map(|d| format!("{}ms", d.as_millis()))
        .collect();
    format!("checks at [{}]", shown.join(", "))
}

#[test]
fn up_at_the_third_check_is_three_checks() {
    let down = || Health::Down("connection refused".into());
    let patience = Patience {
        deadline: ms(1000),
        interval: ms(100),
    };
    let (result, script) = run(vec![down(), down(), Health::Up], patience);
    let request = "checks answer Down, Down, Up (deadline 1000ms, interval 100ms)";
    match result {
        Ok(Ok(3)) if script.checks == [ms(0), ms(100), ms(200)] => {}
        Ok(other) => fail(
            request,
            "Ok(3), checks at [0ms, 100ms, 200ms]",
            format!("{other:?}, {}", times(&script.checks)),
            SECTION,
        ),
        Err(panic) => fail(request, "Ok(3)", panic, SECTION),
    }
}

#[test]
fn a_version_that_never_turns_up_is_refused_at_the_deadline() {
    let patience = Patience {
        deadline: ms(1000),
        interval: ms(300),
    };
    let (result, script) = run(vec![Health::Down("503 DOWN".into())], patience);
    let request = "checks always answer Down (deadline 1000ms, interval 300ms)";
    let expected = "Err(..) with checks at [0ms, 300ms, 600ms, 900ms, 1000ms]: the last pause is cut to the deadline, nothing after it";
    match result {
        Ok(Err(_)) if script.checks == [ms(0), ms(300), ms(600), ms(900), ms(1000)] => {}
        Ok(other) => fail(
            request,
            expected,
            format!("{other:?}, {}", times(&script.checks)),
            SECTION,
        ),
        Err(panic) => fail(request, expected, panic, SECTION),
    }
}

#[test]
fn an_exited_process_ends_the_wait_at_once() {
    let patience = Patience {
        deadline: ms(5000),
        interval: ms(100),
    };
    let (result, script) = run(vec![Health::Exited("exit status 1".into())], patience);
    let request = "the first check says Exited (deadline 5000ms)";
    match result {
        Ok(Err(_)) if script.checks.len() == 1 => {}
        Ok(other) => fail(
            request,
            "Err(..) after that one check",
            format!("{other:?}, {}", times(&script.checks)),
            SECTION,
        ),
        Err(panic) => fail(request, "Err(..)", panic, SECTION),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_slow_starter_gets_no_traffic_before_it_is_up() {
    let bench = Bench::miniproxy().await;
    let hooks = support::hooks(Yours::WaitHealthy);
    let request = "switcher deploy of versions that take 600ms to listen, with your wait_healthy, clients sending requests";
    if let Err(why) = bench.deploy(hooks, support::app("1", 600)).await {
        fail(
            request,
            "version 1 serves",
            format!("the deploy failed: {why}"),
            SECTION,
        );
    }
    let load = Load::start(bench.front, 4);
    for version in ["2", "3"] {
        if let Err(why) = bench.deploy(hooks, support::app(version, 600)).await {
            let _ = load.finish().await;
            fail(
                request,
                format!("version {version} serves"),
                format!("the deploy failed: {why}"),
                SECTION,
            );
        }
    }
    let tally = load.finish().await;
    let now = bench.version().await;
    if !tally.failures.is_empty() || now != "3" {
        fail(
            request,
            "every request answered by the app, and version 3 serves at the end",
            format!(
                "{} of {} requests failed (e.g. {:?}); /version says {now}",
                tally.failures.len(),
                tally.requests,
                tally.failures.first()
            ),
            SECTION,
        );
    }
}
