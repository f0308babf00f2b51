//! Every route, over real HTTP on loopback.

mod common;

use std::time::{Duration, SystemTime};

use common::{get, send, start, start_with};
use http::{Method, StatusCode};

#[tokio::test]
async fn greeting_counts_requests_and_names_the_profile() {
    let server = start("blue").await;
    let addr = server.local_addr();

    let first = get(addr, "/").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(
        first.text(),
        "Hello, world! This is demo-was (profile blue), request #1\n"
    );

    // Other pages do not move the counter; only greetings do.
    get(addr, "/health").await;
    get(addr, "/time").await;

    assert_eq!(
        get(addr, "/hello?name=X").await.text(),
        "Hello, X! This is demo-was (profile blue), request #2\n"
    );
    assert_eq!(
        get(addr, "/hello").await.text(),
        "Hello, world! This is demo-was (profile blue), request #3\n"
    );
    server.stop().await;
}

#[tokio::test]
async fn greeting_decodes_the_name() {
    let server = start("local").await;
    let addr = server.local_addr();
    let cases = [
        ("/hello?name=J%C3%BCrgen%20K", "Jürgen K"),
        ("/hello?name=Ada+Lovelace", "Ada Lovelace"),
        ("/hello?name=1%2B1", "1+1"),
        ("/hello?lang=en&name=Bo", "Bo"),
        ("/?name=root", "root"),
        ("/hello?name=", "world"),
        ("/hello?name=%FF", "\u{FFFD}"),
    ];
    for (path, name) in cases {
        let text = get(addr, path).await.text();
        assert!(
            text.starts_with(&format!("Hello, {name}! This is demo-was (profile local)")),
            "{path} should greet {name:?}, got {text:?}"
        );
    }
    server.stop().await;
}

#[tokio::test]
async fn each_server_has_its_own_counter() {
    let blue = start("blue").await;
    let green = start("green").await;
    get(blue.local_addr(), "/").await;
    get(blue.local_addr(), "/").await;
    let from_green = get(green.local_addr(), "/").await;
    assert_eq!(
        from_green.text(),
        "Hello, world! This is demo-was (profile green), request #1\n"
    );
    assert_eq!(from_green.header("x-profile"), "green");
    blue.stop().await;
    green.stop().await;
}

#[tokio::test]
async fn time_is_now_as_an_http_date() {
    let server = start("local").await;
    let reply = get(server.local_addr(), "/time").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    let text = reply.text();
    let line = text.strip_suffix('\n').expect("ends with a newline");
    assert!(line.ends_with(" GMT"), "{line:?} should be an HTTP date");
    let when = httpdate::parse_http_date(line).expect("an HTTP date");
    let skew = match SystemTime::now().duration_since(when) {
        Ok(behind) => behind,
        Err(ahead) => ahead.duration(),
    };
    assert!(skew < Duration::from_secs(60), "{line} is not now");
    server.stop().await;
}

#[tokio::test]
async fn headers_are_echoed_sorted() {
    let server = start("local").await;
    let addr = server.local_addr();
    let reply = send(
        addr,
        Method::GET,
        "/headers",
        &[
            ("X-Forwarded-For", b"203.0.113.7"),
            ("Via", b"1.1 miniproxy"),
            ("Accept", b"text/plain"),
        ],
    )
    .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
    let text = reply.text();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"x-forwarded-for: 203.0.113.7"), "{text}");
    assert!(lines.contains(&"via: 1.1 miniproxy"), "{text}");
    assert!(lines.contains(&format!("host: {addr}").as_str()), "{text}");
    let mut sorted = lines.clone();
    sorted.sort();
    assert_eq!(lines, sorted, "lines should be sorted by name");
    server.stop().await;
}

#[tokio::test]
async fn non_utf8_header_values_are_echoed_lossily() {
    let server = start("local").await;
    let addr = server.local_addr();
    let reply = send(addr, Method::GET, "/headers", &[("x-latin1", b"caf\xe9")]).await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(
        reply
            .text()
            .lines()
            .any(|line| line == "x-latin1: caf\u{FFFD}"),
        "{}",
        reply.text()
    );
    // And the server is still fine afterwards.
    assert_eq!(get(addr, "/health").await.status, StatusCode::OK);
    server.stop().await;
}

#[tokio::test]
async fn health_is_up_json() {
    let server = start("local").await;
    let reply = get(server.local_addr(), "/health").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("content-type"), "application/json");
    assert_eq!(reply.text(), r#"{"status":"UP"}"#);
    server.stop().await;
}

#[tokio::test]
async fn profile_and_version_are_reported() {
    let server = start_with("green", "2.0.0-rc1").await;
    let addr = server.local_addr();
    assert_eq!(server.profile(), "green");

    let profile = get(addr, "/profile").await;
    assert_eq!(profile.status, StatusCode::OK);
    assert_eq!(profile.header("content-type"), "text/plain; charset=utf-8");
    assert_eq!(profile.text(), "green\n");

    let version = get(addr, "/version").await;
    assert_eq!(version.status, StatusCode::OK);
    assert_eq!(version.text(), "2.0.0-rc1\n");
    assert_eq!(version.header("server"), "demo-was/2.0.0-rc1");
    server.stop().await;
}

#[tokio::test]
async fn default_version_is_the_crate_version() {
    let server = demo_was::start(demo_was::Options {
        listen: "127.0.0.1:0".parse().unwrap(),
        ..Default::default()
    })
    .await
    .unwrap();
    let reply = get(server.local_addr(), "/version").await;
    assert_eq!(reply.text(), format!("{}\n", env!("CARGO_PKG_VERSION")));
    assert_eq!(reply.header("x-profile"), "local");
    server.stop().await;
}

#[tokio::test]
async fn every_response_says_who_answered() {
    let server = start_with("blue", "1.2.3").await;
    let addr = server.local_addr();
    let requests = [
        (Method::GET, "/"),
        (Method::GET, "/hello?name=x"),
        (Method::GET, "/time"),
        (Method::GET, "/headers"),
        (Method::GET, "/health"),
        (Method::GET, "/profile"),
        (Method::GET, "/version"),
        (Method::GET, "/slow?ms=0"),
        (Method::GET, "/slow?ms=nope"),
        (Method::HEAD, "/health"),
        (Method::GET, "/no/such/page"),
        (Method::POST, "/health"),
    ];
    for (method, path) in requests {
        let reply = send(addr, method.clone(), path, &[]).await;
        assert_eq!(reply.header("server"), "demo-was/1.2.3", "{method} {path}");
        assert_eq!(reply.header("x-profile"), "blue", "{method} {path}");
        assert_eq!(reply.header("cache-control"), "no-store", "{method} {path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn unknown_paths_are_404_with_a_short_body() {
    let server = start("local").await;
    let addr = server.local_addr();
    for path in ["/nope", "/hello/", "/health/extra", "/HEALTH"] {
        let reply = get(addr, path).await;
        assert_eq!(reply.status, StatusCode::NOT_FOUND, "{path}");
        assert_eq!(reply.header("content-type"), "text/plain; charset=utf-8");
        let text = reply.text();
        assert!(text.contains("not found") && text.len() < 200, "{text:?}");
    }
    // A path that does not exist is 404 whatever the method.
    let reply = send(addr, Method::POST, "/nope", &[]).await;
    assert_eq!(reply.status, StatusCode::NOT_FOUND);
    server.stop().await;
}

#[tokio::test]
async fn other_methods_are_405_with_allow() {
    let server = start("local").await;
    let addr = server.local_addr();
    for method in [
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
    ] {
        for path in [
            "/", "/hello", "/health", "/profile", "/version", "/headers", "/time",
        ] {
            let reply = send(addr, method.clone(), path, &[]).await;
            assert_eq!(
                reply.status,
                StatusCode::METHOD_NOT_ALLOWED,
                "{method} {path}"
            );
            assert_eq!(reply.header("allow"), "GET, HEAD", "{method} {path}");
            assert!(!reply.body.is_empty());
        }
    }
    // A refused POST is not a greeting: the counter did not move.
    assert!(get(addr, "/").await.text().ends_with("request #1\n"));
    server.stop().await;
}

#[tokio::test]
async fn head_sends_headers_without_a_body() {
    let server = start("local").await;
    let addr = server.local_addr();
    let get_reply = get(addr, "/health").await;
    let head_reply = send(addr, Method::HEAD, "/health", &[]).await;
    assert_eq!(head_reply.status, StatusCode::OK);
    assert!(head_reply.body.is_empty());
    assert_eq!(head_reply.header("content-type"), "application/json");
    assert_eq!(
        head_reply.header("content-length"),
        get_reply.body.len().to_string()
    );

    for path in [
        "/",
        "/time",
        "/headers",
        "/profile",
        "/version",
        "/slow?ms=0",
    ] {
        let reply = send(addr, Method::HEAD, path, &[]).await;
        assert_eq!(reply.status, StatusCode::OK, "HEAD {path}");
        assert!(reply.body.is_empty(), "HEAD {path}");
    }
    server.stop().await;
}

#[tokio::test]
async fn slow_answers_in_two_parts_and_checks_ms() {
    let server = start("blue").await;
    let addr = server.local_addr();
    let reply = get(addr, "/slow?ms=50").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.text(),
        "started; answering in 50 ms\ndone after 50 ms (profile blue)\n"
    );

    for bad in ["/slow?ms=abc", "/slow?ms=-5", "/slow?ms=10001"] {
        let reply = get(addr, bad).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.text().contains("ms must be"), "{}", reply.text());
    }
    server.stop().await;
}

#[tokio::test]
async fn blocking_runs_in_a_worker_slot_and_workers_counts_it() {
    let server = start("blue").await;
    let addr = server.local_addr();
    let reply = get(addr, "/blocking?ms=20").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header("x-profile"), "blue");
    assert_eq!(
        reply.text(),
        "blocked a worker thread for 20 ms (profile blue)\n"
    );

    for bad in ["/blocking?ms=abc", "/blocking?ms=10001"] {
        let reply = get(addr, bad).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert!(reply.text().contains("ms must be"), "{}", reply.text());
    }
    let post = send(addr, Method::POST, "/blocking", &[]).await;
    assert_eq!(post.status, StatusCode::METHOD_NOT_ALLOWED);

    // Only the good request reached the slots.
    let workers = get(addr, "/workers").await;
    assert_eq!(workers.status, StatusCode::OK);
    assert_eq!(
        workers.text(),
        "slots: 4\nbusy: 0\nfree: 4\nmost busy at once: 1\n\
         arrived: 1\nstarted: 1\nanswered: 1\nabandoned: 0\n"
    );
    server.stop().await;
}
