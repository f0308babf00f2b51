//! `free_port`: free, below the kernel's ephemeral range, never twice.

use std::collections::HashSet;
use std::net::TcpListener;

#[test]
fn free_ports_are_bindable_distinct_and_not_ephemeral() {
    let ephemeral_start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range")
        .ok()
        .and_then(|range| range.split_whitespace().next()?.parse::<u16>().ok())
        .unwrap_or(32768);
    let mut seen = HashSet::new();
    for _ in 0..200 {
        let port = testkit::free_port();
        assert!(port < ephemeral_start, "{port} is an ephemeral port");
        assert!(seen.insert(port), "{port} was handed out twice");
    }
    let port = testkit::free_port();
    TcpListener::bind(("127.0.0.1", port)).expect("the port is free");
}
