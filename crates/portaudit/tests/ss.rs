//! portaudit agrees with `ss -lntup` on every kind of listener: IPv4, IPv6,
//! dual-stack, V6ONLY, UDP, and a loopback address other than 127.0.0.1.

mod support;

use std::net::{SocketAddr, TcpListener, UdpSocket};

use socket2::{Domain, Socket, Type};
use support::{as_ss, find, json_lines, portaudit, ss};

fn v6_wildcard(v6only: bool) -> TcpListener {
    let socket = Socket::new(Domain::IPV6, Type::STREAM, None).unwrap();
    socket.set_only_v6(v6only).unwrap();
    let any: SocketAddr = "[::]:0".parse().unwrap();
    socket.bind(&any.into()).unwrap();
    socket.listen(16).unwrap();
    socket.into()
}

#[test]
fn agrees_with_ss_on_every_kind_of_listener() {
    let Some(ss_path) = testkit::tool("ss") else {
        return;
    };
    let tcp = [
        TcpListener::bind("127.0.0.1:0").unwrap(),
        TcpListener::bind("127.0.0.2:0").unwrap(),
        TcpListener::bind("0.0.0.0:0").unwrap(),
        TcpListener::bind("[::1]:0").unwrap(),
        v6_wildcard(false),
        v6_wildcard(true),
    ];
    let udp = [
        UdpSocket::bind("127.0.0.1:0").unwrap(),
        UdpSocket::bind("[::]:0").unwrap(),
    ];
    let expected: Vec<(&str, SocketAddr, &str, bool)> = vec![
        ("tcp", tcp[0].local_addr().unwrap(), "loopback", false),
        ("tcp", tcp[1].local_addr().unwrap(), "loopback", false),
        ("tcp", tcp[2].local_addr().unwrap(), "all", false),
        ("tcp", tcp[3].local_addr().unwrap(), "loopback", false),
        ("tcp", tcp[4].local_addr().unwrap(), "all", true),
        ("tcp", tcp[5].local_addr().unwrap(), "all", false),
        ("udp", udp[0].local_addr().unwrap(), "loopback", false),
        ("udp", udp[1].local_addr().unwrap(), "all", true),
    ];
    let ours = json_lines(portaudit().arg("--json"));
    let theirs = ss(&ss_path, None);
    let pid = std::process::id();
    for (proto, local, exposure, ipv4_too) in expected {
        let listener = find(&ours, proto, local.port())
            .unwrap_or_else(|| panic!("portaudit did not list {proto} {local}"));
        assert_eq!(listener["address"], local.ip().to_string(), "{listener}");
        assert_eq!(listener["exposure"], exposure, "{listener}");
        assert_eq!(listener["ipv4_too"], ipv4_too, "{listener}");
        let owners = listener["processes"].as_array().unwrap();
        assert!(
            owners.iter().any(|o| o["pid"] == pid),
            "this test process should own {proto} {local}: {listener}"
        );
        // ss shows the same socket the same way, owned by the same pid.
        let shown = as_ss(listener);
        let line = theirs
            .iter()
            .find(|(netid, at, _)| netid == proto && *at == shown)
            .unwrap_or_else(|| panic!("ss has no {proto} {shown}: {theirs:#?}"));
        assert!(line.2.contains(&format!("pid={pid},")), "{line:?}");
    }
}
