//! Chapter 2's "Run it", for real: the `miniproxy` binary with the
//! playground config (`playground/ch2/miniproxy.toml`) in front of three
//! demo-was (profiles a, b and c), and the real curl asking it.
//!
//! The book tells the reader to run demo-was on 9001 to 9003 and miniproxy
//! on 8080; here each gets a free port instead (`--listen 127.0.0.1:0`, and
//! `--upstream` flags that replace the file's servers but keep its health
//! checks and timeouts), so the test can run beside anything. Every claim
//! the chapter's transcripts make is asserted: the balance, no failed GET
//! once one copy is stopped, its return once its health checks pass again,
//! and the 502 once all three are gone.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;
use std::process::Command;

use testkit::wait::wait_until;
use testkit::{tool, Process};

const PLAYGROUND_CONFIG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../playground/ch2/miniproxy.toml"
);

/// The chapter's loop prints, per request, the status and who answered:
/// `curl -s -o /dev/null -w '%{http_code} %header{x-profile}\n' …/hello`.
const STATUS_AND_PROFILE: &str = "%{http_code} %header{x-profile}\n";

/// curl, off the async workers: demo-was runs inside this test's runtime
/// and must keep answering while curl waits for it.
async fn curl(curl: &Path, args: &[&str]) -> String {
    let curl = curl.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        testkit::curl(&curl, &args)
    })
    .await
    .expect("curl's thread")
}

/// `n` runs of the chapter's loop body, each line `200 a` and the like,
/// counted as they come.
async fn the_loop(curl_path: &Path, base: &str, n: usize) -> BTreeMap<String, usize> {
    let url = format!("{base}/hello");
    let mut seen = BTreeMap::new();
    for _ in 0..n {
        let line = curl(
            curl_path,
            &["-o", "/dev/null", "-w", STATUS_AND_PROFILE, &url],
        )
        .await;
        *seen.entry(line.trim().to_owned()).or_insert(0) += 1;
    }
    seen
}

fn counts(pairs: &[(&str, usize)]) -> BTreeMap<String, usize> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chapter_2_run_it() {
    let Some(curl_path) = tool("curl") else {
        return;
    };

    // Terminals 1 to 3: demo-was a, b and c.
    let mut apps = Vec::new();
    for profile in ["a", "b", "c"] {
        let app = demo_was::start(demo_was::Options::on_free_port(profile))
            .await
            .unwrap();
        apps.push(Some(app));
    }
    let addr_of = |apps: &[Option<demo_was::Running>], i: usize| -> SocketAddr {
        apps[i].as_ref().unwrap().local_addr()
    };
    let b_addr = addr_of(&apps, 1);

    // Terminal 4: miniproxy with the playground config.
    let mut command = Command::new(env!("CARGO_BIN_EXE_miniproxy"));
    command.args(["--config", PLAYGROUND_CONFIG, "--listen", "127.0.0.1:0"]);
    for i in 0..3 {
        command.arg("--upstream").arg(addr_of(&apps, i).to_string());
    }
    let mut proxy = Process::spawn(&mut command);
    let first = tokio::task::block_in_place(|| proxy.wait_for_line_containing("listening on"));
    let base = first
        .trim()
        .strip_prefix("miniproxy listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {first}"))
        .to_owned();
    let said = tokio::task::block_in_place(|| proxy.wait_for_line_containing("health:"));
    assert!(
        said.contains("GET /health every 1000 ms (down after 2 failures, up after 2 passes)"),
        "{said}"
    );
    let said = tokio::task::block_in_place(|| proxy.wait_for_line_containing("log:"));
    assert!(said.ends_with("log:      stdout (access log)"), "{said}");

    // One request, whole: demo-was answered, through the proxy.
    let hello = curl(&curl_path, &["-i", &format!("{base}/hello")]).await;
    assert!(hello.starts_with("HTTP/1.1 200 OK"), "{hello}");
    assert!(hello.contains("server: demo-was/"), "{hello}");
    assert!(hello.contains("x-profile: a"), "turn 0 is a's: {hello}");
    assert!(hello.contains("via: 1.1 miniproxy"), "{hello}");
    // Terminal 4's access log names the upstream that answered.
    let a_addr = addr_of(&apps, 0);
    let logged = tokio::task::block_in_place(|| {
        proxy.wait_for_line_containing("\"GET /hello HTTP/1.1\" 200 55")
    });
    assert!(logged.starts_with("127.0.0.1 - - ["), "{logged}");
    assert!(logged.contains("\"-\" \"curl/"), "{logged}");
    assert!(
        logged.contains(&format!(" upstream={a_addr} upstream_time=")),
        "{logged}"
    );

    // What the application sees: the client's Host kept, the client
    // appended to X-Forwarded-For, the hop-by-hop header left behind.
    let seen = curl(
        &curl_path,
        &[
            "-H",
            "X-Forwarded-For: 203.0.113.7",
            "-H",
            "Connection: X-Debug-Hop",
            "-H",
            "X-Debug-Hop: 1",
            &format!("{base}/headers"),
        ],
    )
    .await;
    let host = base.trim_start_matches("http://");
    assert!(seen.contains(&format!("host: {host}\n")), "{seen}");
    assert!(
        seen.contains("x-forwarded-for: 203.0.113.7, 127.0.0.1\n"),
        "{seen}"
    );
    assert!(
        seen.contains(&format!("x-forwarded-host: {host}\n")),
        "{seen}"
    );
    assert!(seen.contains("x-forwarded-proto: http\n"), "{seen}");
    assert!(!seen.contains("x-debug-hop"), "{seen}");
    assert!(!seen.contains("connection:"), "{seen}");

    // The loop: turns 2 to 7, so c, a, b, c, a, b: two each.
    let spread = the_loop(&curl_path, &base, 6).await;
    assert_eq!(
        spread,
        counts(&[("200 a", 2), ("200 b", 2), ("200 c", 2)]),
        "{:#?}",
        proxy.seen()
    );

    // Ctrl-C in b's terminal. Not one failed GET: a request that finds b
    // gone is tried on the next upstream, and b is taken out.
    apps[1].take().unwrap().stop().await;
    let spread = the_loop(&curl_path, &base, 6).await;
    assert_eq!(
        spread.values().sum::<usize>(),
        6,
        "{spread:?} {:#?}",
        proxy.seen()
    );
    assert!(
        spread.keys().all(|line| line == "200 a" || line == "200 c"),
        "after b stopped: {spread:?}"
    );
    // Terminal 4 says why b's turn went elsewhere.
    let refused = tokio::task::block_in_place(|| {
        proxy.wait_for_line_containing(&format!("cannot connect to upstream {b_addr}"))
    });
    assert!(refused.contains("WARN pool app:"), "{refused}");
    // The health checks notice too, without a user's request.
    let down = tokio::task::block_in_place(|| proxy.wait_for_line_containing("is down"));
    assert!(
        down.contains(&format!(
            "pool app: upstream {b_addr} is down (2 checks of /health failed)"
        )),
        "{down}"
    );
    let spread = the_loop(&curl_path, &base, 6).await;
    assert_eq!(
        spread,
        counts(&[("200 a", 3), ("200 c", 3)]),
        "with b out of the pool, a and c take turns"
    );

    // b again, on the same port: it rejoins once two checks in a row pass.
    let back = demo_was::start(demo_was::Options {
        listen: b_addr,
        ..demo_was::Options::on_free_port("b")
    })
    .await
    .expect("b starts again on its old port");
    apps[1] = Some(back);
    let up = tokio::task::block_in_place(|| proxy.wait_for_line_containing("healthy again"));
    assert!(
        up.contains(&format!(
            "pool app: upstream {b_addr} is healthy again (2 checks of /health passed)"
        )),
        "{up}"
    );
    let url = format!("{base}/hello");
    wait_until("b answers through the proxy again", || {
        let (curl_path, url) = (curl_path.clone(), url.clone());
        async move {
            let line = curl(
                &curl_path,
                &["-o", "/dev/null", "-w", STATUS_AND_PROFILE, &url],
            )
            .await;
            line.trim() == "200 b"
        }
    })
    .await;
    let spread = the_loop(&curl_path, &base, 6).await;
    assert_eq!(
        spread,
        counts(&[("200 a", 2), ("200 b", 2), ("200 c", 2)]),
        "b is back in the turns"
    );

    // All three stopped: the proxy is fine, the pool is empty.
    for app in apps.iter_mut() {
        app.take().unwrap().stop().await;
    }
    let gone = curl(&curl_path, &["-i", &url]).await;
    assert!(gone.starts_with("HTTP/1.1 502 Bad Gateway"), "{gone}");
    assert!(gone.contains("server: miniproxy"), "{gone}");
    assert!(
        gone.contains("502 Bad Gateway: no healthy upstream"),
        "{gone}"
    );

    tokio::task::block_in_place(|| proxy.assert_stops_cleanly());
}
