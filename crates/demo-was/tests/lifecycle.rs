//! Starting and stopping: ports, bind errors, keep-alive, graceful shutdown.

mod common;

use std::io::ErrorKind;
use std::time::{Duration, Instant};

use common::{connect, connect_with_task, get, read_all, request, start};
use http::{Method, StatusCode};
use http_body_util::BodyExt;
use testkit::wait::{refuses_connections, wait_until, within};

#[tokio::test]
async fn port_zero_gets_a_real_loopback_port() {
    let server = start("local").await;
    let addr = server.local_addr();
    assert_ne!(addr.port(), 0);
    assert!(addr.ip().is_loopback());
    assert_eq!(get(addr, "/health").await.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn a_busy_port_is_an_addr_in_use_error() {
    let holder = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = holder.local_addr().unwrap();
    let err = demo_was::start(demo_was::Options {
        listen: taken,
        ..Default::default()
    })
    .await
    .expect_err("the port is taken, so start must fail");
    assert_eq!(err.kind(), ErrorKind::AddrInUse, "{err}");
}

#[tokio::test]
async fn names_that_cannot_go_in_a_header_are_refused() {
    for (profile, version) in [("blue\r\nX-Evil: 1", "1.0"), ("", "1.0"), ("blue", "1.0\n")] {
        let err = demo_was::start(demo_was::Options {
            listen: "127.0.0.1:0".parse().unwrap(),
            profile: profile.to_string(),
            version: version.to_string(),
        })
        .await
        .expect_err("start must refuse it");
        assert_eq!(
            err.kind(),
            ErrorKind::InvalidInput,
            "{profile:?} {version:?}: {err}"
        );
    }
}

#[tokio::test]
async fn keep_alive_serves_several_requests_on_one_connection() {
    let server = start("blue").await;
    let addr = server.local_addr();
    let mut sender = connect(addr).await;
    for n in 1..=3 {
        let response = within(
            "a response",
            sender.send_request(request(addr, Method::GET, "/")),
        )
        .await
        .unwrap();
        let reply = read_all(response).await;
        assert!(reply.text().ends_with(&format!("request #{n}\n")));
    }
    server.stop().await;
}

#[tokio::test]
async fn stop_lets_an_in_flight_request_finish() {
    let server = start("blue").await;
    let addr = server.local_addr();
    let wait = Duration::from_millis(400);

    // Start a slow request and read its first line: once that has arrived,
    // the server is certainly in the middle of answering it.
    let mut sender = connect(addr).await;
    let sent_at = Instant::now();
    let response = within(
        "the /slow response head",
        sender.send_request(request(addr, Method::GET, "/slow?ms=400")),
    )
    .await
    .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let mut body = response.into_body();
    let first = within("the first line", body.frame())
        .await
        .expect("a first frame")
        .expect("no error")
        .into_data()
        .unwrap();
    assert_eq!(first, "started; answering in 400 ms\n");

    // Now stop the server while that request is in flight.
    let stopping = tokio::spawn(async move {
        server.stop().await;
        Instant::now()
    });

    // The port closes at once: new clients are turned away...
    wait_until("the port refuses new connections", || {
        refuses_connections(addr)
    })
    .await;

    // ...but the request in flight still gets its complete answer.
    let rest = within("the rest of the body", body.collect())
        .await
        .expect("the in-flight request must not be cut off")
        .to_bytes();
    assert_eq!(rest, "done after 400 ms (profile blue)\n");

    // And stop() returned only after that answer was written.
    let stopped_at = within("stop()", stopping).await.unwrap();
    assert!(
        stopped_at.duration_since(sent_at) >= wait,
        "stop() returned before the in-flight request had finished"
    );
}

#[tokio::test]
async fn stop_closes_idle_keep_alive_connections_promptly() {
    let server = start("local").await;
    let addr = server.local_addr();
    let (mut sender, connection) = connect_with_task(addr).await;
    let response = within(
        "a response",
        sender.send_request(request(addr, Method::GET, "/health")),
    )
    .await
    .unwrap();
    assert_eq!(read_all(response).await.status, StatusCode::OK);
    assert!(
        !connection.is_finished(),
        "keep-alive: the connection stays open"
    );

    // The connection is idle now. stop() must not wait for it to time out
    // (that would take KEEP_ALIVE_TIMEOUT); it closes it and returns.
    within("stop() with an idle connection open", server.stop()).await;
    within("the server to close the idle connection", connection)
        .await
        .unwrap();
    assert!(refuses_connections(addr).await);
}

#[tokio::test]
async fn dropping_running_shuts_the_server_down() {
    let server = start("local").await;
    let addr = server.local_addr();
    assert_eq!(get(addr, "/health").await.status, StatusCode::OK);
    drop(server);
    wait_until("the dropped server stops listening", || {
        refuses_connections(addr)
    })
    .await;
}

#[test]
fn timeouts_are_ordered_for_graceful_shutdown() {
    // The book's advice, checked: a proxy's pool timeout (nginx: 60 s) must
    // be below our keep-alive timeout; the longest /slow must fit in the
    // grace period.
    assert!(demo_was::KEEP_ALIVE_TIMEOUT > Duration::from_secs(60));
    assert!(demo_was::GRACE_PERIOD > Duration::from_secs(10));
}
