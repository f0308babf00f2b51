//! A tiny HTTP/1.1 client that sends the request target exactly as given.
//!
//! Browsers and curl clean up `..` before sending (curl needs `--path-as-is`
//! not to), so they cannot show what an attacker's raw request looks like.
//! Tests and labs use this to send such requests for real, over TCP.

use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A parsed answer: status, headers in order (names lowercased), and body.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    /// The first header with this name (give it in lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// The body as text, with invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `METHOD target HTTP/1.1` with the given extra header lines and
/// `Connection: close`, then reads the whole answer.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    target: &str,
    headers: &[(&str, &str)],
) -> std::io::Result<Answer> {
    let mut head = format!("{method} {target} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    request_bytes(addr, head.as_bytes(), method == "HEAD").await
}

/// A GET with no extra headers.
pub async fn get(addr: SocketAddr, target: &str) -> std::io::Result<Answer> {
    request(addr, "GET", target, &[]).await
}

/// How long one exchange may take before it counts as a hang: a test that
/// waits forever teaches nothing.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Sends raw bytes (a whole request head) and parses what comes back, or
/// fails with `TimedOut` after [`DEADLINE`].
pub async fn request_bytes(
    addr: SocketAddr,
    raw: &[u8],
    head_only: bool,
) -> std::io::Result<Answer> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr).await?;
        stream.write_all(raw).await?;
        let mut received = Vec::new();
        stream.read_to_end(&mut received).await?;
        Ok::<_, std::io::Error>(received)
    };
    let received = tokio::time::timeout(DEADLINE, exchange)
        .await
        .map_err(|_| {
            let message = format!("no complete answer from {addr} within {DEADLINE:?}");
            std::io::Error::new(std::io::ErrorKind::TimedOut, message)
        })??;
    parse(&received, head_only)
}

fn parse(received: &[u8], head_only: bool) -> std::io::Result<Answer> {
    let bad = |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_owned());
    let end = received
        .windows(4)
        .position(|window| window == b"\r\n\r\n")
        .ok_or_else(|| bad("the answer has no complete header block"))?;
    let head = String::from_utf8_lossy(&received[..end]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or_default();
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or_else(|| bad("the status line has no status code"))?;
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value.trim().to_owned()))
        .collect();
    let raw_body = &received[end + 4..];
    let chunked = headers
        .iter()
        .any(|(name, value)| name == "transfer-encoding" && value.contains("chunked"));
    let body = if head_only {
        Vec::new()
    } else if chunked {
        dechunk(raw_body).ok_or_else(|| bad("malformed chunked body"))?
    } else {
        raw_body.to_vec()
    };
    Ok(Answer {
        status,
        headers,
        body,
    })
}

/// Undoes `Transfer-Encoding: chunked`: `<hex size>\r\n<data>\r\n` … `0\r\n\r\n`.
fn dechunk(mut raw: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let line_end = raw.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&raw[..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        raw = &raw[line_end + 2..];
        if size == 0 {
            return Some(body);
        }
        body.extend_from_slice(raw.get(..size)?);
        raw = raw.get(size + 2..)?;
    }
}

/// Sends `raw` on an open connection and reads exactly one answer, leaving
/// the connection open (keep-alive) for the next: how a test holds a
/// connection, or many, while it checks something else.
///
/// The answer must say its `Content-Length` (or have no body); fails with
/// `TimedOut` after [`DEADLINE`], or `UnexpectedEof` if the server hangs up
/// first.
pub async fn exchange(stream: &mut TcpStream, raw: &[u8]) -> std::io::Result<Answer> {
    let read_one = async {
        stream.write_all(raw).await?;
        let mut received = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            if let Some(end) = received.windows(4).position(|w| w == b"\r\n\r\n") {
                let answer = parse(&received[..end + 4], true)?;
                let length: usize = answer
                    .header("content-length")
                    .and_then(|value| value.parse().ok())
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    return parse(&received[..end + 4 + length], false);
                }
            }
            match stream.read(&mut chunk).await? {
                0 => {
                    let message = "the server closed the connection before a whole answer";
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        message,
                    ));
                }
                n => received.extend_from_slice(&chunk[..n]),
            }
        }
    };
    tokio::time::timeout(DEADLINE, read_one)
        .await
        .map_err(|_| std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer in time"))?
}
