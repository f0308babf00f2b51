//! Graded: `end_of_head`, where the script's header block ends.

use crate::answer_bench::{fail, have, Bench};

const SECTION: &str = "Where the header block ends";

/// Runs a script that prints `printed` and expects the body `body` with a
/// 200 and the `x-script` header.
async fn assert_body(name: &str, script: &str, printed: &str, body: &str) {
    let bench = Bench::for_end_of_head(&[(name, script)]).await;
    let answer = bench.get(&format!("/cgi-bin/{name}")).await;
    if answer.status != 200 || answer.header("x-script").is_none() || answer.text() != body {
        fail(
            printed,
            &format!("200 with an X-Script header and exactly the body {body:?}"),
            &answer,
            SECTION,
        );
    }
    bench.stop().await;
}

#[tokio::test]
async fn an_lf_head_ends_at_the_first_empty_line() {
    assert_body(
        "lf.sh",
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\nX-Script: sh\\n\\nhello from sh\\n'\n",
        "Content-Type: text/plain\nX-Script: sh\n\nhello from sh\n",
        "hello from sh\n",
    )
    .await;
}

#[tokio::test]
async fn a_crlf_head_ends_at_the_first_empty_line() {
    if !have("perl") {
        return;
    }
    assert_body(
        "crlf.pl",
        "#!/usr/bin/perl\nprint \"Content-Type: text/plain\\r\\nX-Script: perl\\r\\n\\r\\nhello from perl\\n\";\n",
        "Content-Type: text/plain\r\nX-Script: perl\r\n\r\nhello from perl\n",
        "hello from perl\n",
    )
    .await;
}

#[tokio::test]
async fn a_mixed_head_ends_too() {
    assert_body(
        "mixed.sh",
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\nX-Script: sh\\r\\n\\nmixed\\n'\n",
        "Content-Type: text/plain\r\nX-Script: sh\r\n\nmixed\n",
        "mixed\n",
    )
    .await;
}

#[tokio::test]
async fn blank_lines_in_the_body_stay_in_the_body() {
    if !have("python3") {
        return;
    }
    assert_body(
        "poem.py",
        "#!/usr/bin/env python3\nimport sys\nsys.stdout.write('Content-Type: text/plain\\nX-Script: python\\n\\nroses\\n\\nviolets\\n\\n\\nend\\n')\n",
        "Content-Type: text/plain\nX-Script: python\n\nroses\n\nviolets\n\n\nend\n",
        "roses\n\nviolets\n\n\nend\n",
    )
    .await;
}

#[tokio::test]
async fn a_head_written_in_pieces_is_found() {
    // The script writes its head, pauses, then the blank line: the server
    // has asked `end_of_head` at least once before the blank line arrived.
    assert_body(
        "pieces.sh",
        "#!/bin/sh\nprintf 'Content-Type: text/plain\\n'\nsleep 0.2\nprintf 'X-Script: sh\\n'\nsleep 0.2\nprintf '\\nlate\\n'\n",
        "Content-Type: text/plain\n(pause)X-Script: sh\n(pause)\nlate\n",
        "late\n",
    )
    .await;
}
