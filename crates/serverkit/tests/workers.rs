//! `Server::workers`: several event loops on one socket, the clients shared
//! out evenly between them.

use std::convert::Infallible;

use bytes::Bytes;
use http::Response;
use http_body_util::Full;
use hyper::service::service_fn;
use serverkit::{current_worker, Server};
use testkit::http::exchange;
use tokio::net::{TcpListener, TcpStream};

const REQUEST: &[u8] = b"GET / HTTP/1.1\r\nHost: test\r\n\r\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kept_alive_clients_are_shared_out_between_the_workers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    // Each answer names the worker that served it.
    let server = Server::new(listener)
        .workers(2)
        .start(|_peer| {
            service_fn(|_| async {
                let worker = current_worker().to_string();
                Ok::<_, Infallible>(Response::new(Full::new(Bytes::from(worker))))
            })
        })
        .unwrap();

    // 40 clients at once, each kept open: left to itself, the worker that
    // wakes first takes most of them, as it asks the kernel again and again
    // while the other is still waking up.
    let addr = server.local_addr();
    let connecting: Vec<_> = (0..40)
        .map(|_| {
            tokio::spawn(async move {
                let mut client = TcpStream::connect(addr).await.unwrap();
                let answer = exchange(&mut client, REQUEST).await.unwrap();
                (answer.text().parse::<usize>().unwrap(), client)
            })
        })
        .collect();
    let mut clients = Vec::new();
    let mut served_by = [0; 2];
    for client in connecting {
        let (worker, client) = client.await.unwrap();
        served_by[worker] += 1;
        clients.push(client);
    }
    // Shared out, each serves 16 to 24 of them (40 runs); left alone, one
    // served 0 to 9 (5 runs).
    assert!(
        served_by.iter().all(|&count| count >= 12),
        "40 clients, served by worker 0 and worker 1: {served_by:?}"
    );
    drop(clients);
    server.stop().await;
}
