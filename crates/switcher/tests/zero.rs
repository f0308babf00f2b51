//! "Zero", proven: continuous keep-alive load (GETs and POSTs) through the
//! front while the switcher deploys back and forth; every request must be
//! answered by the application, and traffic must end on the new version
//! after each deploy.

mod support;

use std::sync::Arc;
use std::time::Duration;

use switcher::{Front, Hooks, Patience, Settings, Slot};
use testkit::load::Load;

const DEPLOYS: usize = 10;
const CLIENTS: usize = 8;

#[test]
#[ignore = "the app the switcher starts; the tests run it themselves"]
fn demo_was_app() {
    support::serve_demo_was();
}

fn settings(front: Front, dir: &std::path::Path) -> Settings {
    let mut settings = Settings::new(front, dir.to_path_buf());
    settings.slots = vec![
        Slot::new("blue", testkit::free_port()),
        Slot::new("green", testkit::free_port()),
    ];
    settings.patience = Patience {
        deadline: Duration::from_secs(20),
        interval: Duration::from_millis(50),
    };
    settings.drain = Duration::from_millis(300);
    settings
}

async fn version_through(front: std::net::SocketAddr) -> String {
    let answer = testkit::http::get(front, "/version")
        .await
        .expect("the front answers");
    answer.text().trim().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ten_deploys_behind_miniproxy_under_load_fail_no_request() {
    let dir = tempfile::tempdir().unwrap();
    let _cleanup = support::Cleanup(dir.path().to_path_buf());
    let placeholder = testkit::free_port();
    let front = support::miniproxy_front(placeholder).await;
    let mut settings = settings(
        Front::Miniproxy {
            admin: front.admin.local_addr(),
            route: None,
        },
        dir.path(),
    );
    // The front starts on a port of no slot: point it at blue first.
    settings.slots[0].port = placeholder;
    let settings = Arc::new(settings);

    support::deploy(&settings, Hooks::default(), support::app_command("1", 0))
        .await
        .expect("the first deploy works");
    let load = Load::start(front.proxy.local_addr(), CLIENTS);
    load.progress(50).await;
    for n in 2..=DEPLOYS + 1 {
        let version = n.to_string();
        // Every other version starts slowly: the switch must wait for it.
        let delay = if n % 2 == 0 { 300 } else { 0 };
        let report = support::deploy(
            &settings,
            Hooks::default(),
            support::app_command(&version, delay),
        )
        .await
        .unwrap_or_else(|why| panic!("deploy {n} failed: {why}"));
        assert!(
            report.replaced.is_some(),
            "deploy {n} stopped the old version"
        );
        assert_eq!(
            version_through(front.proxy.local_addr()).await,
            version,
            "after deploy {n}"
        );
        load.progress(20).await;
    }
    let tally = load.finish().await;
    println!(
        "{DEPLOYS} deploys, {} requests, {} failed",
        tally.requests,
        tally.failures.len()
    );
    assert!(
        tally.failures.is_empty(),
        "failed requests: {:#?}",
        tally.failures
    );
    let last = (DEPLOYS + 1).to_string();
    for seen in &tally.last_versions {
        assert_eq!(
            seen.as_deref(),
            Some(last.as_str()),
            "every client ends on the last version"
        );
    }
}
