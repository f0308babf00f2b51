//! Graded: `evaluate`, a firewall rule set deciding a new connection. Rule
//! sets are written in portaudit's ufw-like format and read by its parser;
//! the last test puts your code behind real listeners.

use lab_6::{evaluate, Action, Packet, Proto, Rules, Verdict};

use crate::support::{call, check, fail, read_live, show, Sockets, FIREWALL};

fn rules(text: &str) -> Rules {
    Rules::parse(text, "rules").expect("the test's rules parse")
}

/// Sends each `(from, port, proto)` through `text`'s rules.
fn expect(text: &str, cases: &[(&str, u16, Proto, Action, Option<usize>)]) {
    let rules = rules(text);
    let shown_rules = text.trim().replace('\n', "; ");
    for (from, port, proto, action, rule) in cases {
        let packet = Packet {
            from: from.parse().unwrap(),
            port: *port,
            proto: *proto,
        };
        check(
            &format!("evaluate([{shown_rules}], {proto} from {from} to port {port})"),
            Verdict {
                action: *action,
                rule: *rule,
            },
            FIREWALL,
            || evaluate(&rules, &packet),
        );
    }
}

use Action::{Allow, Deny};
use Proto::{Tcp, Udp};

#[test]
fn the_first_matching_rule_wins() {
    expect(
        "default allow\nallow from 192.0.2.0/24 to port 8081\ndeny 8081\ndeny 8082\nallow 8082\n",
        &[
            ("192.0.2.5", 8081, Tcp, Allow, Some(1)),
            ("203.0.113.7", 8081, Tcp, Deny, Some(2)),
            ("192.0.2.5", 8082, Tcp, Deny, Some(3)),
        ],
    );
}

#[test]
fn no_matching_rule_means_the_default_policy() {
    expect(
        "default deny\nallow 22/tcp\n",
        &[
            ("203.0.113.7", 22, Tcp, Allow, Some(1)),
            ("203.0.113.7", 8081, Tcp, Deny, None),
        ],
    );
    expect(
        "default allow\ndeny 3306\n",
        &[("203.0.113.7", 8082, Tcp, Allow, None)],
    );
}

#[test]
fn from_narrows_a_rule() {
    expect(
        "default deny\nallow from 192.0.2.0/24 to port 22 proto tcp\n",
        &[
            ("192.0.2.77", 22, Tcp, Allow, Some(1)),
            ("198.51.100.1", 22, Tcp, Deny, None),
        ],
    );
}

#[test]
fn proto_narrows_a_rule() {
    expect(
        "default allow\nallow 53/udp\ndeny 53\n",
        &[
            ("203.0.113.7", 53, Udp, Allow, Some(1)),
            ("203.0.113.7", 53, Tcp, Deny, Some(2)),
        ],
    );
}

#[test]
fn real_listeners_behind_the_rules() {
    let sockets = Sockets::open();
    let wildcard = |proto| {
        sockets
            .opened
            .iter()
            .find(|o| o.proto == proto && o.local.ip().is_unspecified())
            .expect("the bench listens on a wildcard")
    };
    let (tcp, udp) = (wildcard(Tcp), wildcard(Udp));
    let text = format!(
        "default deny\nallow {}/tcp\ndeny {}\n",
        tcp.local.port(),
        udp.local.port()
    );
    let rules = rules(&text);
    let hooks = portaudit::Hooks {
        evaluate,
        ..portaudit::Hooks::default()
    };
    let listeners = read_live(&portaudit::Hooks::default(), FIREWALL);
    let request = format!(
        "portaudit with your evaluate and the rules [{}]",
        text.trim().replace('\n', "; ")
    );
    let findings = call(&request, "a verdict per listener", FIREWALL, || {
        portaudit::assess(listeners, Some(&rules), portaudit::audit::OUTSIDE, &hooks)
    });
    let cases = [
        (tcp, "exposed (allowed by rule 1)"),
        (udp, "blocked by rule 2"),
    ];
    for (opened, expected) in cases {
        let finding = findings
            .iter()
            .find(|f| f.listener.proto == opened.proto && f.listener.local == opened.local)
            .unwrap_or_else(|| {
                panic!(
                    "portaudit did not list {}",
                    show(opened.proto, opened.local)
                )
            });
        if finding.reach() != expected {
            fail(
                &format!("{request}, on {}", show(opened.proto, opened.local)),
                expected,
                &finding.reach(),
                FIREWALL,
            );
        }
    }
}
