//! `Server::max_connections`: at the cap, a further client waits in the
//! kernel's queue and is served once another connection closes.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http::Response;
use http_body_util::Full;
use hyper::service::service_fn;
use serverkit::Server;
use testkit::http::exchange;
use testkit::wait::within;
use tokio::net::{TcpListener, TcpStream};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n";

#[tokio::test]
async fn a_third_connection_waits_until_one_of_two_closes() {
    // One shared record of events, in order: the server notes each
    // connection it accepts, the test notes when it closed the first one.
    let events = Arc::new(Mutex::new(Vec::<String>::new()));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let accepted = events.clone();
    let server = Server::new(listener).max_connections(2).start(move |peer| {
        accepted
            .lock()
            .unwrap()
            .push(format!("accepted {}", peer.port()));
        service_fn(|_| async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::from("ok")))) })
    });
    let server = server.unwrap();
    let addr = server.local_addr();

    // Two kept-alive connections take both slots.
    let mut first = TcpStream::connect(addr).await.unwrap();
    let mut second = TcpStream::connect(addr).await.unwrap();
    assert_eq!(exchange(&mut first, REQUEST).await.unwrap().status, 200);
    assert_eq!(exchange(&mut second, REQUEST).await.unwrap().status, 200);

    // The third connects (the kernel completes the handshake and queues
    // it) and sends its request, which nobody reads yet.
    let mut third = TcpStream::connect(addr).await.unwrap();
    let third_port = third.local_addr().unwrap().port();
    let waiting = tokio::spawn(async move { exchange(&mut third, REQUEST).await });
    // The server is busy and well: the second connection is still served.
    assert_eq!(exchange(&mut second, REQUEST).await.unwrap().status, 200);
    assert!(
        !waiting.is_finished(),
        "the third connection was served at the cap"
    );

    events.lock().unwrap().push("closed the first".into());
    drop(first);
    let answer = within("the third answer", waiting).await.unwrap().unwrap();
    assert_eq!(answer.status, 200);

    let events = events.lock().unwrap().clone();
    let closed = events.iter().position(|e| e == "closed the first");
    let third = events
        .iter()
        .position(|e| *e == format!("accepted {third_port}"));
    assert!(
        closed.is_some() && third > closed,
        "the third connection must be accepted only after the first closed: {events:?}"
    );
    server.stop().await;
}
