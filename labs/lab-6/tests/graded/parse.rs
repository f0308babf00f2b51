//! Graded: `parse_line`, one line of /proc/net/tcp{,6} by hand. The lines
//! below are real ones, copied from a little-endian (x86-64) machine; the
//! last test reads this machine's live tables with your parser.

use std::net::SocketAddr;

use lab_6::{parse_line, Entry};

use crate::support::{call, check, fail, read_live, show, Sockets, PARSE};

const HEADER: &str = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode";

/// A line in /proc/net/tcp's layout with the given columns.
fn line(local: &str, remote: &str, state: &str, inode: u64) -> String {
    format!(
        "   0: {local} {remote} {state} 00000000:00000000 00:00000000 00000000   106        0 {inode} 1 0000000000000000 100 0 0 10 0"
    )
}

fn expect_local(local: &str, expected: &str) {
    let text = line(local, "00000000:0000", "0A", 4242);
    let expected: SocketAddr = expected.parse().unwrap();
    let request = format!("parse_line(\"… {local} …\")");
    let got = call(&request, &expected.to_string(), PARSE, || parse_line(&text));
    match got {
        Ok(entry) if entry.local == expected => {}
        Ok(entry) => fail(
            &request,
            &format!("local {expected}"),
            &format!("local {}", entry.local),
            PARSE,
        ),
        Err(error) => fail(
            &request,
            &format!("local {expected}"),
            &format!("Err({error})"),
            PARSE,
        ),
    }
}

#[test]
fn ipv4_addresses_and_ports() {
    // mysqld on loopback, sshd on every address (the chapter's netstat
    // lines), an application on one interface.
    expect_local("0100007F:0CEA", "127.0.0.1:3306");
    expect_local("00000000:EA76", "0.0.0.0:60022");
    expect_local("0A0200C0:1F91", "192.0.2.10:8081");
}

#[test]
fn ipv6_words_are_little_endian() {
    expect_local("00000000000000000000000001000000:1F90", "[::1]:8080");
    expect_local("00000000000000000000000000000000:1F92", "[::]:8082");
    expect_local(
        "B80D0120000000000000000010000000:01BB",
        "[2001:db8::10]:443",
    );
    expect_local(
        "0000000000000000FFFF00000100007F:0CEA",
        "[::ffff:127.0.0.1]:3306",
    );
}

#[test]
fn the_state_and_inode_are_read() {
    let cases = [
        (
            line("0100007F:0CEA", "00000000:0000", "0A", 24324),
            0x0A,
            24324,
        ),
        (
            line("0A0200C0:EA76", "077100CB:C350", "01", 98113),
            0x01,
            98113,
        ),
        (line("0100007F:0035", "00000000:0000", "07", 7), 0x07, 7),
    ];
    for (text, state, inode) in cases {
        let request = format!("parse_line({text:?})");
        let expected = format!("state 0x{state:02X}, inode {inode}");
        match call(&request, &expected, PARSE, || parse_line(&text)) {
            Ok(Entry {
                state: s, inode: i, ..
            }) if s == state && i == inode => {}
            Ok(entry) => fail(
                &request,
                &expected,
                &format!("state 0x{:02X}, inode {}", entry.state, entry.inode),
                PARSE,
            ),
            Err(error) => fail(&request, &expected, &format!("Err({error})"), PARSE),
        }
    }
}

#[test]
fn malformed_lines_are_errors() {
    let good = line("0100007F:0CEA", "00000000:0000", "0A", 24324);
    let cases = [
        ("the header line", HEADER.to_string()),
        ("an empty line", String::new()),
        (
            "a cut-off line",
            "   0: 0100007F:0CEA 00000000:0000 0A".to_string(),
        ),
        ("an address with a G", good.replace("0100007F", "0100G07F")),
        (
            "an address of 7 digits",
            good.replace("0100007F", "100007F"),
        ),
        (
            "an address without a port",
            good.replace("0100007F:0CEA", "0100007F"),
        ),
        ("a state that is not hex", good.replace(" 0A ", " ZZ ")),
        (
            "an inode that is not a number",
            good.replace("24324", "x24"),
        ),
    ];
    for (what, text) in cases {
        let request = format!("parse_line({text:?}) ({what})");
        check(&request, true, PARSE, || parse_line(&text).is_err());
    }
}

#[test]
fn real_listeners_are_read_from_proc() {
    let sockets = Sockets::open();
    let hooks = portaudit::Hooks {
        parse_line,
        ..portaudit::Hooks::default()
    };
    let found = read_live(&hooks, PARSE);
    for opened in &sockets.opened {
        if !found
            .iter()
            .any(|l| l.proto == opened.proto && l.local == opened.local)
        {
            let mut seen: Vec<String> = found.iter().map(|l| show(l.proto, l.local)).collect();
            seen.truncate(12);
            fail(
                &format!(
                    "portaudit with your parse_line, reading /proc/self/net while the test listens on {}",
                    show(opened.proto, opened.local)
                ),
                &format!("a listener {}", show(opened.proto, opened.local)),
                &format!("not among: {}", seen.join(", ")),
                PARSE,
            );
        }
    }
}
