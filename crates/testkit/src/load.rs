//! Continuous, bounded load: a few keep-alive clients sending GETs and
//! POSTs, one after another on their own connection, until told to stop.
//!
//! Each request counts as served only if a complete answer came back from
//! the application (`Server: demo-was/<version>`) with a status below 500.
//! A reset, a connection closed before the answer, a 502 from the proxy, or
//! a request that takes longer than [`REQUEST_TIMEOUT`] is a failure, and
//! the client opens a new connection and goes on. Chapter 6 uses it to
//! prove "zero failed requests" across deploys, and its benchmark to count
//! what a method costs.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::task::JoinHandle;

/// One request may take this long; longer is a failure.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What the clients saw, all together.
#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub requests: u64,
    /// One line per failed request: what it was and what happened.
    pub failures: Vec<String>,
    /// The version each client saw last.
    pub last_versions: Vec<Option<String>>,
    /// The slowest request (benchmarks print it; tests never assert it).
    pub slowest: Duration,
}

/// The running clients.
pub struct Load {
    stop: Arc<AtomicBool>,
    served: Arc<AtomicU64>,
    last_failure: Arc<Mutex<String>>,
    clients: Vec<JoinHandle<Tally>>,
}

impl Load {
    /// Starts `clients` keep-alive clients against `addr`.
    pub fn start(addr: SocketAddr, clients: usize) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let served = Arc::new(AtomicU64::new(0));
        let last_failure = Arc::new(Mutex::new(String::from("none")));
        let clients = (0..clients)
            .map(|n| {
                let seen = (stop.clone(), served.clone(), last_failure.clone());
                tokio::spawn(client(addr, n, seen))
            })
            .collect();
        Load {
            stop,
            served,
            last_failure,
            clients,
        }
    }

    /// Requests answered so far, by all clients.
    pub fn served(&self) -> u64 {
        self.served.load(Ordering::Relaxed)
    }

    /// Waits until `more` requests beyond now were answered (deadline: 30 s).
    pub async fn progress(&self, more: u64) {
        let target = self.served() + more;
        let what = format!(
            "{more} more requests to be served (last failure: {})",
            self.last_failure.lock().unwrap_or_else(|e| e.into_inner())
        );
        crate::wait::wait_until(&what, || async { self.served() >= target }).await;
    }

    /// Stops the clients after their current request and adds up.
    pub async fn finish(self) -> Tally {
        self.stop.store(true, Ordering::Relaxed);
        let mut total = Tally::default();
        for client in self.clients {
            let tally = client.await.unwrap_or_default();
            total.requests += tally.requests;
            total.failures.extend(tally.failures);
            total.last_versions.extend(tally.last_versions);
            total.slowest = total.slowest.max(tally.slowest);
        }
        total
    }
}

type Shared = (Arc<AtomicBool>, Arc<AtomicU64>, Arc<Mutex<String>>);

async fn client(addr: SocketAddr, n: usize, (stop, served, last_failure): Shared) -> Tally {
    let mut tally = Tally {
        last_versions: vec![None],
        ..Tally::default()
    };
    let mut connection: Option<BufReader<TcpStream>> = None;
    let mut turn = 0u64;
    while !stop.load(Ordering::Relaxed) {
        turn += 1;
        let post = turn % 2 == 0;
        let what = if post { "POST /hello" } else { "GET /version" };
        let began = Instant::now();
        let result = tokio::time::timeout(REQUEST_TIMEOUT, async {
            if connection.is_none() {
                connection = Some(BufReader::new(TcpStream::connect(addr).await?));
            }
            let stream = connection.as_mut().expect("connected above");
            exchange(stream, post, n).await
        })
        .await
        .unwrap_or_else(|_| Err(std::io::Error::other("no answer in time")));
        tally.requests += 1;
        tally.slowest = tally.slowest.max(began.elapsed());
        match result {
            Ok((status, version, close)) if status < 500 && version.is_some() => {
                served.fetch_add(1, Ordering::Relaxed);
                tally.last_versions[0] = version;
                if close {
                    connection = None;
                }
            }
            Ok((status, version, _)) => {
                let line = format!("client {n}: {what}: {status} from {version:?}");
                *last_failure.lock().unwrap_or_else(|e| e.into_inner()) = line.clone();
                tally.failures.push(line);
                connection = None;
            }
            Err(error) => {
                let line = format!("client {n}: {what}: {error}");
                *last_failure.lock().unwrap_or_else(|e| e.into_inner()) = line.clone();
                tally.failures.push(line);
                connection = None;
            }
        }
    }
    tally
}

/// One request on a kept-alive connection: (status, demo-was version,
/// whether the server said it closes the connection).
async fn exchange(
    stream: &mut BufReader<TcpStream>,
    post: bool,
    n: usize,
) -> std::io::Result<(u16, Option<String>, bool)> {
    let request = if post {
        format!("POST /hello HTTP/1.1\r\nHost: load\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 8\r\nX-Client: {n}\r\n\r\nname=abc")
    } else {
        format!("GET /version HTTP/1.1\r\nHost: load\r\nX-Client: {n}\r\n\r\n")
    };
    stream.get_mut().write_all(request.as_bytes()).await?;
    let mut line = String::new();
    if stream.read_line(&mut line).await? == 0 {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "the connection closed before an answer",
        ));
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("not a status line: {line:?}")))?;
    let (mut length, mut chunked, mut close, mut version) = (0usize, false, false, None);
    loop {
        line.clear();
        if stream.read_line(&mut line).await? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "cut in the headers",
            ));
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let Some((name, value)) = header.split_once(':') else {
            continue;
        };
        let (name, value) = (name.to_ascii_lowercase(), value.trim());
        match name.as_str() {
            "content-length" => length = value.parse().unwrap_or(0),
            "transfer-encoding" => chunked = value.eq_ignore_ascii_case("chunked"),
            "connection" => close = value.eq_ignore_ascii_case("close"),
            "server" => version = value.strip_prefix("demo-was/").map(String::from),
            _ => {}
        }
    }
    if chunked {
        loop {
            line.clear();
            stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16)
                .map_err(|_| std::io::Error::other("bad chunk size"))?;
            let mut chunk = vec![0; size + 2];
            stream.read_exact(&mut chunk).await?;
            if size == 0 {
                break;
            }
        }
    } else {
        let mut body = vec![0; length];
        stream.read_exact(&mut body).await?;
    }
    Ok((status, version, close))
}
