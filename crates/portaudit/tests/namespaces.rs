//! Two hosts on one machine: a "server" and an "outside" network namespace
//! joined by a veth pair, addresses from TEST-NET-1 (192.0.2.0/24), so no
//! traffic can leave them. demo-was runs in the server on 0.0.0.0:8081 and
//! 127.0.0.1:8082; from outside 8081 answers and 8082 does not; then a real
//! iptables rule in the server blocks 8081 from outside, loopback still
//! works, and portaudit inside the namespace reports all of it.
//!
//! Needs root, `ip` (iproute2), `iptables` and `curl`; prints a skip line
//! otherwise (a failure with WORKBOOK_REQUIRE_TOOLS=1, as in CI).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use support::{find, is_root, json_lines};

/// Creates the namespaces and the veth pair; removes all of it when
/// dropped, pass or fail (deleting a namespace deletes its end of the veth,
/// and with it the pair).
struct Hosts {
    ip: PathBuf,
    server: String,
    outside: String,
}

impl Hosts {
    fn create(ip: &Path) -> Hosts {
        let tag = std::process::id();
        let hosts = Hosts {
            ip: ip.to_path_buf(),
            server: format!("wb5-server-{tag}"),
            outside: format!("wb5-outside-{tag}"),
        };
        let (veth_s, veth_o) = (format!("wb5s{tag}"), format!("wb5o{tag}"));
        hosts.ip(&["netns", "add", &hosts.server]);
        hosts.ip(&["netns", "add", &hosts.outside]);
        hosts.ip(&[
            "link", "add", &veth_s, "type", "veth", "peer", "name", &veth_o,
        ]);
        hosts.ip(&["link", "set", &veth_s, "netns", &hosts.server]);
        hosts.ip(&["link", "set", &veth_o, "netns", &hosts.outside]);
        for (ns, dev, addr) in [
            (&hosts.server, &veth_s, "192.0.2.1/24"),
            (&hosts.outside, &veth_o, "192.0.2.2/24"),
        ] {
            hosts.ip(&["-n", ns, "addr", "add", addr, "dev", dev]);
            hosts.ip(&["-n", ns, "link", "set", dev, "up"]);
            hosts.ip(&["-n", ns, "link", "set", "lo", "up"]);
        }
        hosts
    }

    fn ip(&self, args: &[&str]) {
        let output = Command::new(&self.ip).args(args).output().unwrap();
        assert!(
            output.status.success(),
            "ip {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `ip netns exec NS program args…`
    fn exec(&self, ns: &str, program: &Path) -> Command {
        let mut command = Command::new(&self.ip);
        command.args(["netns", "exec", ns]).arg(program);
        command
    }
}

impl Drop for Hosts {
    fn drop(&mut self) {
        for ns in [&self.server, &self.outside] {
            let _ = Command::new(&self.ip).args(["netns", "del", ns]).output();
        }
    }
}

/// demo-was running inside a namespace, stopped when dropped.
///
/// `setns(2)` moves only the calling *thread* into a network namespace, so
/// a thread of this test enters the server namespace and runs demo-was
/// there on its own single-threaded runtime: every socket that runtime
/// opens lives in the namespace.
struct DemoWas {
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl DemoWas {
    fn start_in(ns: &str, listen: &str, profile: &str) -> DemoWas {
        let netns = std::fs::File::open(format!("/run/netns/{ns}")).expect("the namespace exists");
        let options = demo_was::Options {
            listen: listen.parse().unwrap(),
            profile: profile.to_string(),
            ..demo_was::Options::default()
        };
        let (ready_tx, ready_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            use std::os::fd::AsRawFd;
            // SAFETY: a valid namespace fd; affects this thread only.
            let entered = unsafe { libc::setns(netns.as_raw_fd(), libc::CLONE_NEWNET) };
            assert_eq!(entered, 0, "setns: {}", std::io::Error::last_os_error());
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let running = demo_was::start(options).await.expect("demo-was starts");
                ready_tx.send(()).unwrap();
                let _ = stopped.await;
                running.stop().await;
            });
        });
        ready_rx
            .recv_timeout(testkit::wait::DEADLINE)
            .expect("demo-was starts in the namespace");
        DemoWas {
            stop: Some(stop),
            thread: Some(thread),
        }
    }
}

impl Drop for DemoWas {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Whether an HTTP GET to `url` from namespace `ns` gets an answer.
fn answers(hosts: &Hosts, ns: &str, curl: &Path, url: &str) -> Output {
    hosts
        .exec(ns, curl)
        .args(["--silent", "--show-error", "--max-time", "2", url])
        .output()
        .unwrap()
}

#[test]
fn the_bind_address_and_the_firewall_decide_who_gets_in() {
    let (Some(ip), Some(iptables), Some(curl)) = (
        testkit::tool("ip"),
        testkit::tool("iptables"),
        testkit::tool("curl"),
    ) else {
        return;
    };
    if !is_root() {
        if std::env::var("WORKBOOK_REQUIRE_TOOLS").as_deref() == Ok("1") {
            panic!("network namespaces need root (WORKBOOK_REQUIRE_TOOLS=1)");
        }
        eprintln!("skipped: network namespaces need root");
        return;
    }
    let hosts = Hosts::create(&ip);
    // Declared after `hosts`, so dropped before it: servers stop first.
    let blue = DemoWas::start_in(&hosts.server, "0.0.0.0:8081", "blue");
    let green = DemoWas::start_in(&hosts.server, "127.0.0.1:8082", "green");

    // From outside: 8081 (every address) answers, 8082 (loopback) cannot.
    let got = answers(
        &hosts,
        &hosts.outside,
        &curl,
        "http://192.0.2.1:8081/profile",
    );
    assert_eq!(
        String::from_utf8_lossy(&got.stdout).trim(),
        "blue",
        "{got:?}"
    );
    let got = answers(
        &hosts,
        &hosts.outside,
        &curl,
        "http://192.0.2.1:8082/profile",
    );
    assert!(!got.status.success(), "8082 is loopback-only: {got:?}");
    // Inside the server, loopback reaches both.
    let got = answers(
        &hosts,
        &hosts.server,
        &curl,
        "http://127.0.0.1:8082/profile",
    );
    assert_eq!(
        String::from_utf8_lossy(&got.stdout).trim(),
        "green",
        "{got:?}"
    );

    let audit = || {
        json_lines(
            hosts
                .exec(&hosts.server, Path::new(env!("CARGO_BIN_EXE_portaudit")))
                .args(["--json", "--iptables", "--from", "192.0.2.2"]),
        )
    };
    let before = audit();
    let blue_seen = find(&before, "tcp", 8081).expect("portaudit lists 8081");
    assert_eq!(blue_seen["address"], "0.0.0.0");
    assert_eq!(blue_seen["exposure"], "all");
    assert_eq!(
        blue_seen["reach"],
        "exposed (allowed by the default policy)"
    );
    assert_eq!(blue_seen["processes"][0]["pid"], std::process::id());
    let green_seen = find(&before, "tcp", 8082).expect("portaudit lists 8082");
    assert_eq!(green_seen["reach"], "loopback only");

    // The second lock: a real iptables rule in the server namespace.
    let output = hosts
        .exec(&hosts.server, &iptables)
        .args(["-A", "INPUT", "-p", "tcp", "--dport", "8081", "-j", "DROP"])
        .output()
        .unwrap();
    assert!(output.status.success(), "iptables: {output:?}");
    let got = answers(
        &hosts,
        &hosts.outside,
        &curl,
        "http://192.0.2.1:8081/profile",
    );
    assert!(
        !got.status.success(),
        "8081 is now dropped from outside: {got:?}"
    );
    // Loopback traffic passes INPUT too (on `lo`), and the DROP above
    // matches it. ufw accepts `lo` first; do the same.
    let output = hosts
        .exec(&hosts.server, &iptables)
        .args(["-I", "INPUT", "1", "-i", "lo", "-j", "ACCEPT"])
        .output()
        .unwrap();
    assert!(output.status.success(), "iptables: {output:?}");
    let got = answers(
        &hosts,
        &hosts.server,
        &curl,
        "http://127.0.0.1:8081/profile",
    );
    assert_eq!(
        String::from_utf8_lossy(&got.stdout).trim(),
        "blue",
        "{got:?}"
    );

    let after = audit();
    let blue_seen = find(&after, "tcp", 8081).expect("portaudit lists 8081");
    // Rule 1 is now the `-i lo` accept, which portaudit leaves out (with a
    // note): the DROP is the first rule it models.
    assert_eq!(blue_seen["reach"], "blocked by rule 1", "{blue_seen}");
    assert_eq!(blue_seen["exposure"], "all");

    drop((blue, green));
}
