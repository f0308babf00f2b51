//! Graded: `exposure`, who can reach an address. The last test judges the
//! real listeners the bench opens, through the real portaudit engine.

use std::net::IpAddr;

use lab_6::{exposure, Exposure};

use crate::support::{check, fail, read_live, show, Sockets, EXPOSURE};

fn expect(cases: &[(&str, Exposure)]) {
    for (address, expected) in cases {
        let ip: IpAddr = address.parse().unwrap();
        check(&format!("exposure({address})"), *expected, EXPOSURE, || {
            exposure(ip)
        });
    }
}

#[test]
fn loopback_is_this_machine_only() {
    expect(&[
        ("127.0.0.1", Exposure::Loopback),
        ("127.0.0.2", Exposure::Loopback),
        ("127.255.255.254", Exposure::Loopback),
        ("::1", Exposure::Loopback),
    ]);
}

#[test]
fn wildcards_are_every_interface() {
    expect(&[("0.0.0.0", Exposure::All), ("::", Exposure::All)]);
}

#[test]
fn one_address_is_one_interface() {
    expect(&[
        ("192.0.2.10", Exposure::Specific),
        ("10.0.0.5", Exposure::Specific),
        ("2001:db8::10", Exposure::Specific),
        ("fe80::1", Exposure::Specific),
    ]);
}

#[test]
fn a_mapped_ipv4_address_is_judged_as_ipv4() {
    expect(&[
        ("::ffff:127.0.0.1", Exposure::Loopback),
        ("::ffff:192.0.2.10", Exposure::Specific),
    ]);
}

#[test]
fn real_listeners_are_classified() {
    let sockets = Sockets::open();
    let hooks = portaudit::Hooks {
        exposure,
        ..portaudit::Hooks::default()
    };
    let listeners = read_live(&portaudit::Hooks::default(), EXPOSURE);
    let findings = crate::support::call(
        "portaudit judging this machine's listeners with your exposure",
        "an exposure for each",
        EXPOSURE,
        || portaudit::assess(listeners, None, portaudit::audit::OUTSIDE, &hooks),
    );
    for opened in &sockets.opened {
        let Some(finding) = findings
            .iter()
            .find(|f| f.listener.proto == opened.proto && f.listener.local == opened.local)
        else {
            panic!(
                "portaudit did not list {}",
                show(opened.proto, opened.local)
            );
        };
        if finding.exposure != opened.exposure {
            fail(
                &format!(
                    "portaudit with your exposure, on the test's listener {}",
                    show(opened.proto, opened.local)
                ),
                &format!("{:?}", opened.exposure),
                &format!("{:?}", finding.exposure),
                EXPOSURE,
            );
        }
    }
}
