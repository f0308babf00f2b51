//! Graded: `request_variables`, what the server knows, through the real
//! cgi-runner and real scripts.

use crate::support::{have, under, Bench};

const SECTION: &str = "What the server knows";

#[tokio::test]
async fn the_fixed_variables_are_set() {
    let bench = Bench::for_request_variables().await;
    let seen = bench.send("GET", "/cgi-bin/env.sh", &[]).await;
    let root = bench.root();
    seen.expect("GATEWAY_INTERFACE", "CGI/1.1", SECTION);
    seen.expect("REQUEST_METHOD", "GET", SECTION);
    seen.expect("SERVER_PROTOCOL", "HTTP/1.1", SECTION);
    seen.expect(
        "SERVER_SOFTWARE",
        &format!("cgi-runner/{}", cgi_version()),
        SECTION,
    );
    seen.expect("SCRIPT_FILENAME", &under(&root, "/env.sh"), SECTION);
    seen.expect("DOCUMENT_ROOT", &under(&root, ""), SECTION);
    let seen = bench
        .send("POST", "/cgi-bin/env.sh", &[("Content-Length", "0")])
        .await;
    seen.expect("REQUEST_METHOD", "POST", SECTION);
    bench.stop().await;
}

fn cgi_version() -> String {
    // The host's own version, as it names itself in SERVER_SOFTWARE.
    cgi_runner::Config::new("/").server_software["cgi-runner/".len()..].to_string()
}

#[tokio::test]
async fn script_name_and_path_info_split_the_path() {
    if !have("perl") {
        return;
    }
    let bench = Bench::for_request_variables().await;
    let seen = bench
        .send("GET", "/cgi-bin/env.pl/2024/may%20report", &[])
        .await;
    seen.expect("SCRIPT_NAME", "/cgi-bin/env.pl", SECTION);
    seen.expect("PATH_INFO", "/2024/may report", SECTION);
    bench.stop().await;
}

#[tokio::test]
async fn path_translated_maps_path_info_under_the_root() {
    let bench = Bench::for_request_variables().await;
    let seen = bench.send("GET", "/cgi-bin/env.sh/docs/a.txt", &[]).await;
    seen.expect(
        "PATH_TRANSLATED",
        &under(&bench.root(), "/docs/a.txt"),
        SECTION,
    );
    bench.stop().await;
}

#[tokio::test]
async fn path_info_is_absent_when_nothing_follows_the_script() {
    let bench = Bench::for_request_variables().await;
    let seen = bench.send("GET", "/cgi-bin/env.sh", &[]).await;
    seen.expect("SCRIPT_NAME", "/cgi-bin/env.sh", SECTION);
    seen.expect_absent(
        "PATH_INFO",
        "nothing follows the script in the path",
        SECTION,
    );
    seen.expect_absent(
        "PATH_TRANSLATED",
        "there is no PATH_INFO to translate",
        SECTION,
    );
    bench.stop().await;
}

#[tokio::test]
async fn query_string_is_always_set() {
    if !have("python3") {
        return;
    }
    let bench = Bench::for_request_variables().await;
    let seen = bench
        .send("GET", "/cgi-bin/env.py?q=caf%C3%A9&page=2", &[])
        .await;
    seen.expect("QUERY_STRING", "q=caf%C3%A9&page=2", SECTION);
    let seen = bench.send("GET", "/cgi-bin/env.py", &[]).await;
    seen.expect("QUERY_STRING", "", SECTION);
    bench.stop().await;
}

#[tokio::test]
async fn server_name_is_the_host_without_its_port() {
    let bench = Bench::for_request_variables().await;
    let port = bench.addr().port().to_string();
    let raw =
        "GET /cgi-bin/env.sh HTTP/1.1\r\nHost: shop.example:8080\r\nConnection: close\r\n\r\n";
    let seen = bench
        .send_raw(
            "GET /cgi-bin/env.sh with `Host: shop.example:8080`",
            raw.as_bytes(),
        )
        .await;
    seen.expect("SERVER_NAME", "shop.example", SECTION);
    seen.expect("SERVER_PORT", &port, SECTION);
    let raw = "GET /cgi-bin/env.sh HTTP/1.1\r\nHost: [::1]:8080\r\nConnection: close\r\n\r\n";
    let seen = bench
        .send_raw(
            "GET /cgi-bin/env.sh with `Host: [::1]:8080`",
            raw.as_bytes(),
        )
        .await;
    seen.expect("SERVER_NAME", "[::1]", SECTION);
    let raw = "GET /cgi-bin/env.sh HTTP/1.0\r\n\r\n";
    let seen = bench
        .send_raw(
            "GET /cgi-bin/env.sh HTTP/1.0 without a Host",
            raw.as_bytes(),
        )
        .await;
    seen.expect("SERVER_NAME", "127.0.0.1", SECTION);
    seen.expect("SERVER_PROTOCOL", "HTTP/1.0", SECTION);
    bench.stop().await;
}

#[tokio::test]
async fn remote_addr_and_port_name_the_client() {
    let bench = Bench::for_request_variables().await;
    let seen = bench.send("GET", "/cgi-bin/env.sh", &[]).await;
    seen.expect("REMOTE_ADDR", "127.0.0.1", SECTION);
    seen.expect("REMOTE_HOST", "127.0.0.1", SECTION);
    let server_port = bench.addr().port().to_string();
    match seen.variable("REMOTE_PORT") {
        Some(port) if port.parse::<u16>().is_ok() && port != server_port => {}
        _ => seen.fail(
            "REMOTE_PORT is the client's port (a number, not the server's port)",
            "REMOTE_PORT",
            SECTION,
        ),
    }
    bench.stop().await;
}
