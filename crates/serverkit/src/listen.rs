//! Binding the listening socket, so that several workers share the load.
//!
//! A server with several worker threads (see `Server::workers`) needs its
//! new connections spread evenly over them. One listening socket shared by
//! all workers does not do that: each new client wakes every worker, and
//! the one that is already awake takes most of them (a benchmark here saw
//! 2 to 1). With `SO_REUSEPORT`, each worker listens on a socket of its
//! own, on the same port, and the kernel hands every new connection to one
//! of them, chosen by a hash of the client's address and port: an even
//! spread, and no worker woken for another's client. nginx's
//! `listen … reuseport` is the same thing.
//!
//! The catch: any program of the same user that also sets `SO_REUSEPORT`
//! can join the group, so a second copy of the server would start without
//! the usual "address in use" error and quietly take half the clients.
//! [`bind`] therefore first makes sure that nothing listens on the port.

use std::io;
use std::net::SocketAddr;

use socket2::{Domain, Socket, Type};
use tokio::net::TcpListener;

/// How many finished handshakes may wait for `accept` (Linux caps it at
/// `net.core.somaxconn`): tokio's default.
const BACKLOG: i32 = 1024;

/// Binds `addr` (port 0: a free port), ready to be shared by workers.
/// Fails with `AddrInUse` when anything already listens there.
pub fn bind(addr: SocketAddr) -> io::Result<TcpListener> {
    // A plain bind fails if anyone listens on the port, whatever their
    // options; with port 0 it also picks the port. It holds the port until
    // the real socket has it, so nobody can take it in between (sockets
    // that all allow address reuse may share a port while none listens).
    let probe = socket(addr, false)?;
    probe.bind(&addr.into())?;
    let addr = bound_address(&probe)?;
    let listener = socket(addr, true)?;
    listener.bind(&addr.into())?;
    let listener = listen(listener)?;
    drop(probe);
    Ok(listener)
}

/// A listening socket for one more worker: its own, on `first`'s port,
/// when `first` came from [`bind`]; otherwise a copy of `first` (the
/// workers then share one socket).
pub fn for_worker(first: &std::net::TcpListener) -> io::Result<std::net::TcpListener> {
    let addr = first.local_addr()?;
    let own = socket(addr, true)?;
    match own.bind(&addr.into()) {
        Ok(()) => {
            own.listen(BACKLOG)?;
            // An event loop waits for clients itself: `accept` must never
            // block its thread.
            own.set_nonblocking(true)?;
            Ok(own.into())
        }
        Err(error) if error.kind() == io::ErrorKind::AddrInUse => first.try_clone(),
        Err(error) => Err(error),
    }
}

fn socket(addr: SocketAddr, reuse_port: bool) -> io::Result<Socket> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // Restarting must not wait for the old connections' TIME_WAIT to end.
    socket.set_reuse_address(true)?;
    socket.set_reuse_port(reuse_port)?;
    if addr.is_ipv6() {
        // `[::]` means IPv6 only, as Rust's own `TcpListener::bind` does.
        socket.set_only_v6(true)?;
    }
    Ok(socket)
}

fn bound_address(socket: &Socket) -> io::Result<SocketAddr> {
    socket
        .local_addr()?
        .as_socket()
        .ok_or_else(|| io::Error::other("a TCP socket without an IP address"))
}

fn listen(socket: Socket) -> io::Result<TcpListener> {
    socket.listen(BACKLOG)?;
    socket.set_nonblocking(true)?;
    TcpListener::from_std(socket.into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_second_bind_on_the_same_port_is_refused() {
        let first = bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let taken = first.local_addr().unwrap();
        let second = bind(taken).expect_err("a second server on a busy port");
        assert_eq!(second.kind(), io::ErrorKind::AddrInUse);
        // A plain listener (another program) is refused too.
        let plain = std::net::TcpListener::bind(taken).expect_err("plain bind");
        assert_eq!(plain.kind(), io::ErrorKind::AddrInUse);
    }

    #[tokio::test]
    async fn port_zero_gets_a_port_of_its_own_every_time() {
        let listeners: Vec<TcpListener> = (0..200)
            .map(|_| bind("127.0.0.1:0".parse().unwrap()).unwrap())
            .collect();
        let mut ports: Vec<u16> = listeners
            .iter()
            .map(|l| l.local_addr().unwrap().port())
            .collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 200, "two servers were given the same port");
    }

    #[tokio::test]
    async fn a_worker_gets_a_socket_of_its_own_on_the_same_port() {
        let first = bind("127.0.0.1:0".parse().unwrap())
            .unwrap()
            .into_std()
            .unwrap();
        let worker = for_worker(&first).unwrap();
        assert_eq!(worker.local_addr().unwrap(), first.local_addr().unwrap());
        // Ready for an event loop: an accept with nobody waiting returns at once.
        assert_eq!(
            worker.accept().unwrap_err().kind(),
            io::ErrorKind::WouldBlock
        );
        // Its own socket, not a copy: closing the first leaves it listening.
        drop(first);
        std::net::TcpStream::connect(worker.local_addr().unwrap()).expect("still listening");
    }

    #[tokio::test]
    async fn a_listener_bound_elsewhere_is_shared_instead() {
        let plain = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let worker = for_worker(&plain).unwrap();
        assert_eq!(worker.local_addr().unwrap(), plain.local_addr().unwrap());
    }
}
