//! The signals really arrive: this test sends them to its own process.
//! Without the handlers `signal()` installs, SIGTERM would end the test
//! binary on the spot instead of completing the future.

#![cfg(unix)]

use std::time::Duration;

/// Sends `signal` (like `kill -TERM <pid>`) to this very process.
fn send_to_self(signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([signal, &std::process::id().to_string()])
        .status()
        .expect("cannot run kill");
    assert!(sent.success(), "kill {signal} failed");
}

/// Awaits `stop` with a deadline, so a lost signal fails instead of hanging.
async fn completes(stop: impl std::future::Future<Output = ()>, what: &str) {
    tokio::time::timeout(Duration::from_secs(20), stop)
        .await
        .unwrap_or_else(|_| panic!("{what} did not complete the stop future"));
}

// One test for both signals: signals go to the whole process, so two tests
// running in parallel could answer each other's.
#[tokio::test]
async fn sigterm_and_ctrl_c_each_complete_the_stop_future() {
    let stop = shutdown::signal().unwrap();
    send_to_self("-TERM");
    completes(stop, "SIGTERM").await;

    let stop = shutdown::signal().unwrap();
    send_to_self("-INT");
    completes(stop, "SIGINT (Ctrl-C)").await;
}
