//! testkit's curl helper: its failure message says why curl failed.

use std::panic::catch_unwind;

#[test]
fn a_curl_failure_names_the_exit_status_and_curls_stderr() {
    let Some(curl) = testkit::tool("curl") else {
        return;
    };
    // A port nobody listens on: connecting is refused.
    let port = testkit::free_port();
    let url = format!("http://127.0.0.1:{port}/");
    let failure = catch_unwind(|| testkit::curl(&curl, &[&url])).expect_err("curl must fail");
    let message = failure
        .downcast_ref::<String>()
        .expect("a formatted message");
    assert!(message.contains("exit status: 7"), "{message}");
    assert!(message.contains("Failed to connect"), "{message}");
}
