//! Graded: `parse_head`, what the script's header block says.

use crate::answer_bench::{fail, have, refused, Bench};

const SECTION: &str = "What the header block says";

/// An sh script that prints `printed` exactly.
fn sh(printed: &str) -> String {
    let escaped = printed
        .replace('\\', "\\\\")
        .replace('\'', "'\\''")
        .replace('\n', "\\n")
        .replace('\r', "\\r");
    format!("#!/bin/sh\nprintf '{}'\n", escaped.replace('%', "%%"))
}

/// The script's header block must be refused: 500 "malformed header".
async fn assert_refused(printed: &str, why: &str) {
    let bench = Bench::for_parse_head(&[("bad.sh", &sh(printed))]).await;
    let answer = bench.get("/cgi-bin/bad.sh").await;
    if !refused(&answer) {
        fail(
            printed,
            &format!("500 \"{}\": {why}", cgi_runner::MALFORMED),
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn a_document_passes_its_headers_on() {
    if !have("python3") {
        return;
    }
    let script = "#!/usr/bin/env python3\nprint('Content-Type: text/html; charset=utf-8')\nprint('X-Powered-By: python3')\nprint('Cache-Control: no-store')\nprint()\nprint('<h1>hi</h1>')\n";
    let printed = "Content-Type: text/html; charset=utf-8\nX-Powered-By: python3\nCache-Control: no-store\n\n<h1>hi</h1>\n";
    let bench = Bench::for_parse_head(&[("page.py", script)]).await;
    let answer = bench.get("/cgi-bin/page.py").await;
    if answer.status != 200
        || answer.header("content-type") != Some("text/html; charset=utf-8")
        || answer.header("x-powered-by") != Some("python3")
        || answer.header("cache-control") != Some("no-store")
        || answer.text() != "<h1>hi</h1>\n"
    {
        fail(
            printed,
            "200 with the three headers, values trimmed, and the page",
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn status_sets_the_answer_code() {
    if !have("perl") {
        return;
    }
    let script = "#!/usr/bin/perl\nprint \"Status: 404 Not Found\\r\\nContent-Type: text/plain\\r\\n\\r\\nno such report\\n\";\n";
    let printed = "Status: 404 Not Found\r\nContent-Type: text/plain\r\n\r\nno such report\n";
    let bench = Bench::for_parse_head(&[("report.pl", script)]).await;
    let answer = bench.get("/cgi-bin/report.pl").await;
    if answer.status != 404
        || answer.header("status").is_some()
        || answer.text() != "no such report\n"
    {
        fail(
            printed,
            "404 with the body, and no `Status` header: it is an instruction to the server, not a header for the client",
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn header_names_ignore_case() {
    let printed = "content-type: text/plain\nSTATUS: 201 Created\n\ncreated\n";
    let bench = Bench::for_parse_head(&[("new.sh", &sh(printed))]).await;
    let answer = bench.get("/cgi-bin/new.sh").await;
    if answer.status != 201 || answer.header("status").is_some() {
        fail(
            printed,
            "201: `STATUS` is `Status`, `content-type` is `Content-Type`",
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn a_local_location_is_fetched_by_the_server() {
    let printed = "Location: /cgi-bin/target.sh?from=moved\n\n";
    let target =
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\ntarget says %s\\n' \"$QUERY_STRING\"\n";
    let bench = Bench::for_parse_head(&[("moved.sh", &sh(printed)), ("target.sh", target)]).await;
    let answer = bench.get("/cgi-bin/moved.sh").await;
    if answer.status != 200
        || answer.header("location").is_some()
        || answer.text() != "target says from=moved\n"
    {
        fail(
            printed,
            "200 with target.sh's answer: the server fetches a local path itself, the client never sees a redirect",
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn an_absolute_location_is_a_302() {
    let printed = "Location: https://example.com/new-home\n\n";
    let bench = Bench::for_parse_head(&[("away.sh", &sh(printed))]).await;
    let answer = bench.get("/cgi-bin/away.sh").await;
    if answer.status != 302 || answer.header("location") != Some("https://example.com/new-home") {
        fail(
            printed,
            "302 Found with `Location: https://example.com/new-home`",
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn a_status_with_an_absolute_location_is_kept() {
    let printed = "Status: 301 Moved Permanently\nLocation: https://example.com/\nContent-Type: text/plain\n\nmoved for good\n";
    let bench = Bench::for_parse_head(&[("perm.sh", &sh(printed))]).await;
    let answer = bench.get("/cgi-bin/perm.sh").await;
    if answer.status != 301 || answer.header("location") != Some("https://example.com/") {
        fail(
            printed,
            "301 (the script's Status wins over the default 302) with the Location",
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn a_protocol_relative_location_is_refused() {
    assert_refused(
        "Location: //evil.example/login\n\n",
        "`//host/path` is another site, neither a local path nor an absolute URL",
    )
    .await;
}

#[tokio::test]
async fn a_document_without_content_type_is_refused() {
    assert_refused(
        "X-Thing: 1\n\nsome body\n",
        "a document needs a Content-Type",
    )
    .await;
}

#[tokio::test]
async fn a_line_that_is_not_a_header_is_refused() {
    assert_refused(
        "Content-Type: text/plain\nhello, I forgot the blank line\n\nbody\n",
        "a line without a colon is not a header; never pass on the lines that looked fine",
    )
    .await;
    assert_refused(
        "Content Type: text/plain\n\nbody\n",
        "a space is not allowed in a header name",
    )
    .await;
}

#[tokio::test]
async fn a_bad_status_is_refused() {
    assert_refused(
        "Status: OK\nContent-Type: text/plain\n\nbody\n",
        "a status starts with three digits",
    )
    .await;
    assert_refused(
        "Status: 2000\nContent-Type: text/plain\n\nbody\n",
        "three digits, then the end or a space: 2000 is no status",
    )
    .await;
    assert_refused(
        "Status: 700 Odd\nContent-Type: text/plain\n\nbody\n",
        "statuses run from 100 to 599",
    )
    .await;
}
