//! The test bench: your code called safely (a `todo!()` or a panic becomes
//! a graded failure, not a crash), and real listening sockets on this
//! machine, read back by the real portaudit engine.

use std::fmt::Debug;
use std::net::{SocketAddr, TcpListener, UdpSocket};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use portaudit::{Exposure, Listener, Proto};
use testkit::graded::Failure;

pub const PARSE: &str = "Reading /proc/net/tcp by hand";
pub const EXPOSURE: &str = "Loopback, every interface, or one";
pub const FIREWALL: &str = "First match wins";

/// Fails with the graded-failure message for chapter 5.
#[track_caller]
pub fn fail(request: &str, expected: &str, got: &str, section: &str) -> ! {
    Failure {
        request: request.to_string(),
        expected: expected.to_string(),
        got: got.to_string(),
        chapter: 5,
        section: section.to_string(),
    }
    .fail()
}

/// Runs your code; a panic (your `todo!()`, an `unwrap` on bad input)
/// becomes a graded failure naming the call.
#[track_caller]
pub fn call<T>(request: &str, expected: &str, section: &str, code: impl FnOnce() -> T) -> T {
    testkit::graded::quiet_panics();
    match catch_unwind(AssertUnwindSafe(code)) {
        Ok(value) => value,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            fail(request, expected, &format!("a panic: {message}"), section)
        }
    }
}

/// Checks `got == expected` for one call, failing in the graded shape.
#[track_caller]
pub fn check<T: PartialEq + Debug>(
    request: &str,
    expected: T,
    section: &str,
    got: impl FnOnce() -> T,
) {
    let shown = format!("{expected:?}");
    let got = call(request, &shown, section, got);
    if got != expected {
        fail(request, &shown, &format!("{got:?}"), section);
    }
}

/// One socket the bench opened, and what portaudit must say about it.
pub struct Opened {
    pub proto: Proto,
    pub local: SocketAddr,
    pub exposure: Exposure,
}

/// Real sockets on this machine, held open while the test runs: TCP on
/// 127.0.0.1, 127.0.0.2, 0.0.0.0, ::1 and ::, UDP on 127.0.0.1 and ::.
/// (IPv6 ones are left out, with a line saying so, where IPv6 is off.)
pub struct Sockets {
    pub opened: Vec<Opened>,
    _tcp: Vec<TcpListener>,
    _udp: Vec<UdpSocket>,
}

impl Sockets {
    pub fn open() -> Sockets {
        let mut sockets = Sockets {
            opened: Vec::new(),
            _tcp: Vec::new(),
            _udp: Vec::new(),
        };
        let tcp = [
            ("127.0.0.1:0", Exposure::Loopback),
            ("127.0.0.2:0", Exposure::Loopback),
            ("0.0.0.0:0", Exposure::All),
            ("[::1]:0", Exposure::Loopback),
            ("[::]:0", Exposure::All),
        ];
        for (at, exposure) in tcp {
            match TcpListener::bind(at) {
                Ok(listener) => {
                    sockets.opened.push(Opened {
                        proto: Proto::Tcp,
                        local: listener.local_addr().unwrap(),
                        exposure,
                    });
                    sockets._tcp.push(listener);
                }
                Err(error) => eprintln!("skipped: cannot listen on {at} here ({error})"),
            }
        }
        for (at, exposure) in [
            ("127.0.0.1:0", Exposure::Loopback),
            ("[::]:0", Exposure::All),
        ] {
            match UdpSocket::bind(at) {
                Ok(socket) => {
                    sockets.opened.push(Opened {
                        proto: Proto::Udp,
                        local: socket.local_addr().unwrap(),
                        exposure,
                    });
                    sockets._udp.push(socket);
                }
                Err(error) => eprintln!("skipped: cannot bind {at} here ({error})"),
            }
        }
        sockets
    }
}

/// Reads this process's live socket tables (`/proc/self/net/tcp`, `tcp6`,
/// `udp`, `udp6`) with the real portaudit engine and `hooks`.
pub fn read_live(hooks: &portaudit::Hooks, section: &str) -> Vec<Listener> {
    let request = "portaudit reading /proc/self/net/{tcp,tcp6,udp,udp6}";
    let result = call(request, "every line parsed", section, || {
        portaudit::snapshot::read(Path::new("/proc/self/net"), hooks)
    });
    result.unwrap_or_else(|error| fail(request, "every line parsed", &error.to_string(), section))
}

/// `tcp 127.0.0.1:4242`.
pub fn show(proto: Proto, local: SocketAddr) -> String {
    format!("{proto} {local}")
}
