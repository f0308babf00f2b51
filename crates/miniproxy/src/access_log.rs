//! The access log: one line per request, in nginx's "combined" format.
//!
//! ```text
//! 127.0.0.1 - - [26/Nov/2026:10:52:47 +0000] "GET /hello HTTP/1.1" 200 58 "-" "curl/7.88.1" upstream=127.0.0.1:9000 upstream_time=0.004 site=app1
//! ```
//!
//! That is, field by field: the client's address; two `-` for identity
//! and user (nobody uses them any more, but every log tool expects them);
//! the time; the request line; the status; the body bytes sent; the
//! `Referer` and `User-Agent` headers. Every tool that reads nginx or
//! Apache logs (GoAccess, awk one-liners, `grep ' 502 '`) reads this. After
//! it, what a proxy adds (nginx's `$upstream_addr` and
//! `$upstream_response_time`): which upstream answered and how long it
//! took, or `-` for a file served from disk. With `[[site]]` tables
//! (chapter 3's virtual hosts), which site answered, so one log tells the
//! sites apart (`site=-` when none was chosen).
//!
//! Two details matter more than they look:
//!
//! * The line is written when the response body has been *sent*, not when
//!   the handler returns: only then are the byte count and the real end
//!   known (a client that hangs up halfway shows a short count). A wrapper
//!   around the body (`Counted`) counts the bytes and writes the line at
//!   the end of the body, or when hyper drops it (a HEAD, a closed client).
//! * Header values come from the client, who can put anything in them: a
//!   `"` would end the quoted field early, a newline would forge a whole
//!   log line. Like nginx, we write such bytes as `\xHH`.

use std::fs::File;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use http::uri::Authority;
use http::{header, HeaderMap, Request, Response};
use http_body_util::BodyExt;
use hyper::body::{Frame, SizeHint};

use crate::response::{Body, BoxError};

/// Where access-log lines go (config `access_log`, flag `--access-log`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    /// No access log.
    Off,
    /// One line per request on stdout, the default of the `miniproxy`
    /// command.
    Stdout,
    /// Appended to this file, created if missing.
    File(PathBuf),
}

impl Destination {
    /// `"stdout"`, `"off"`, or a file path, taken relative to `base`.
    pub fn parse(text: &str, base: &Path) -> Destination {
        match text {
            "stdout" => Destination::Stdout,
            "off" => Destination::Off,
            path => Destination::File(base.join(path)),
        }
    }
}

impl std::fmt::Display for Destination {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Destination::Off => f.write_str("off"),
            Destination::Stdout => f.write_str("stdout"),
            Destination::File(path) => write!(f, "{}", path.display()),
        }
    }
}

// ANCHOR: upstream
/// Which upstream answered a proxied request, and how long it took: the
/// forwarding code puts this in the response's extensions, and the access
/// log reads it from there. Static answers have none.
#[derive(Debug, Clone)]
pub struct Upstream {
    /// The upstream's `host:port`.
    pub addr: Authority,
    /// From sending the request to receiving the upstream's response head.
    pub elapsed: Duration,
}
// ANCHOR_END: upstream

/// An open access log, shared by all connections.
pub struct AccessLog(Sink);

enum Sink {
    Off,
    Stdout,
    /// A mutex, so that lines from many connections never interleave.
    File(Mutex<File>),
}

impl AccessLog {
    /// Opens the destination: a file is created if missing and appended to
    /// (`O_APPEND`: several processes may share one log, line by line).
    pub fn open(destination: &Destination) -> std::io::Result<AccessLog> {
        Ok(AccessLog(match destination {
            Destination::Off => Sink::Off,
            Destination::Stdout => Sink::Stdout,
            Destination::File(path) => {
                let file = File::options().create(true).append(true).open(path);
                let file = file.map_err(|error| {
                    let message = format!("access log {}: {error}", path.display());
                    std::io::Error::new(error.kind(), message)
                })?;
                Sink::File(Mutex::new(file))
            }
        }))
    }

    /// What the line will need from `request`, taken before the request is
    /// handed on; `None` when the log is off (nothing to take, or to pay).
    pub fn requested<B>(&self, request: &Request<B>, client: SocketAddr) -> Option<Requested> {
        match self.0 {
            Sink::Off => None,
            _ => Some(Requested::new(request, client)),
        }
    }

    /// Arranges for `response`'s line to be written once its body is sent.
    pub fn record(
        self: &Arc<Self>,
        request: Option<Requested>,
        response: Response<Body>,
    ) -> Response<Body> {
        let Some(request) = request else {
            return response;
        };
        let answered = Answered {
            log: self.clone(),
            request,
            status: response.status().as_u16(),
            upstream: response.extensions().get::<Upstream>().cloned(),
        };
        response.map(|body| {
            Counted {
                body,
                sent: 0,
                answered: Some(answered),
            }
            .boxed()
        })
    }

    fn write(&self, line: &str) {
        match &self.0 {
            Sink::Off => {}
            // A closed stdout (`miniproxy | head -1`) must not stop the
            // server: `announce` ignores a failed write, `println!` panics.
            Sink::Stdout => serverkit::announce(line),
            Sink::File(file) => {
                // One `write` per line; a full disk loses the line, not the
                // request.
                if let Ok(mut file) = file.lock() {
                    let _ = file.write_all(format!("{line}\n").as_bytes());
                }
            }
        }
    }
}

/// What the log needs from the request, taken before the request is
/// handed on (forwarding consumes it).
pub struct Requested {
    client: IpAddr,
    line: String,
    referer: String,
    user_agent: String,
    site: Option<Arc<str>>,
}

impl Requested {
    /// The site chosen for the request (by its Host), `-` for none: only
    /// set when the config has sites, so older logs keep their shape.
    pub fn set_site(&mut self, site: Arc<str>) {
        self.site = Some(site);
    }

    fn new<B>(request: &Request<B>, client: SocketAddr) -> Requested {
        // HTTP/2 has no request line: the name travels apart (`:authority`)
        // and hyper hands us `https://name/path`. Log the path, as nginx
        // does, so a line reads the same over HTTP/1.1 and HTTP/2.
        let target = match request.version() {
            http::Version::HTTP_2 => request
                .uri()
                .path_and_query()
                .map_or_else(|| "/".to_string(), |pq| pq.to_string()),
            _ => request.uri().to_string(),
        };
        let line = format!("{} {} {:?}", request.method(), target, request.version());
        Requested {
            client: client.ip(),
            line: escape(line.as_bytes()),
            referer: header_field(request.headers(), header::REFERER),
            user_agent: header_field(request.headers(), header::USER_AGENT),
            site: None,
        }
    }
}

fn header_field(headers: &HeaderMap, name: header::HeaderName) -> String {
    headers
        .get(name)
        .map_or_else(|| "-".to_owned(), |value| escape(value.as_bytes()))
}

/// Everything for the line but the byte count, known once the body ends.
struct Answered {
    log: Arc<AccessLog>,
    request: Requested,
    status: u16,
    upstream: Option<Upstream>,
}

impl Answered {
    fn line(&self, sent: u64, now: SystemTime) -> String {
        let Requested {
            client,
            line,
            referer,
            user_agent,
            site,
        } = &self.request;
        let site = site
            .as_deref()
            .map_or(String::new(), |s| format!(" site={s}"));
        let (upstream, upstream_time) = match &self.upstream {
            Some(Upstream { addr, elapsed }) => {
                (addr.to_string(), format!("{:.3}", elapsed.as_secs_f64()))
            }
            None => ("-".to_owned(), "-".to_owned()),
        };
        format!(
            "{client} - - [{}] \"{line}\" {} {sent} \"{referer}\" \"{user_agent}\" upstream={upstream} upstream_time={upstream_time}{site}",
            log_time(now),
            self.status,
        )
    }
}

// ANCHOR: counted
/// The response body, passed through unchanged while its bytes are
/// counted; the log line is written when it ends or is dropped.
struct Counted {
    body: Body,
    sent: u64,
    /// `Some` until the line is written: it is written once.
    answered: Option<Answered>,
}

impl hyper::body::Body for Counted {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.body).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(data) = frame.data_ref() {
                    self.sent += data.len() as u64;
                }
            }
            // The end, or an error that ends it: either way, log now.
            Poll::Ready(None | Some(Err(_))) => self.write_line(),
            Poll::Pending => {}
        }
        polled
    }

    // Passed through, so hyper still learns the length of a whole body
    // and sends `Content-Length`.
    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}

impl Counted {
    fn write_line(&mut self) {
        if let Some(answered) = self.answered.take() {
            answered
                .log
                .write(&answered.line(self.sent, SystemTime::now()));
        }
    }
}

/// hyper drops a body without reading it for HEAD, a 304, or a client that
/// went away: the line is still written, with the bytes actually sent.
impl Drop for Counted {
    fn drop(&mut self) {
        self.write_line();
    }
}
// ANCHOR_END: counted

/// `26/Nov/2026:10:52:47 +0000`, the log's time format, in UTC.
///
/// `httpdate` already turns a time into `Thu, 26 Nov 2026 10:52:47 GMT`
/// (always that shape), so we rearrange its pieces rather than doing
/// calendar arithmetic ourselves.
fn log_time(time: SystemTime) -> String {
    let http_date = httpdate::fmt_http_date(time);
    match http_date.split(' ').collect::<Vec<_>>()[..] {
        [_weekday, day, month, year, clock, _gmt] => format!("{day}/{month}/{year}:{clock} +0000"),
        _ => http_date,
    }
}

/// Printable ASCII stays; `"`, `\`, control bytes and non-ASCII become
/// `\xHH`, so a field can neither end early nor start a new line.
fn escape(bytes: &[u8]) -> String {
    let mut escaped = String::with_capacity(bytes.len());
    for &byte in bytes {
        if byte.is_ascii_graphic() && byte != b'"' && byte != b'\\' || byte == b' ' {
            escaped.push(byte as char);
        } else {
            escaped.push_str(&format!("\\x{byte:02X}"));
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_time_is_in_common_log_format() {
        let time = httpdate::parse_http_date("Thu, 26 Nov 2026 10:52:47 GMT").unwrap();
        assert_eq!(log_time(time), "26/Nov/2026:10:52:47 +0000");
        let early = httpdate::parse_http_date("Sun, 01 Feb 2026 03:04:05 GMT").unwrap();
        assert_eq!(log_time(early), "01/Feb/2026:03:04:05 +0000");
    }

    #[test]
    fn quotes_and_newlines_cannot_forge_fields_or_lines() {
        assert_eq!(escape(b"curl/8.0"), "curl/8.0");
        assert_eq!(escape(b"a\"b"), "a\\x22b");
        assert_eq!(escape(b"x\r\n1.2.3.4 - -"), "x\\x0D\\x0A1.2.3.4 - -");
        assert_eq!(escape("é".as_bytes()), "\\xC3\\xA9");
    }

    #[test]
    fn a_proxied_line_names_the_upstream_from_the_response_extension() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("access.log");
        let log = Arc::new(AccessLog::open(&Destination::File(path.clone())).unwrap());
        let request = Request::get("/hello")
            .header(header::USER_AGENT, "curl/8.0")
            .body(())
            .unwrap();
        let client: SocketAddr = "192.0.2.7:50000".parse().unwrap();
        // What forwarding does: the answer carries who gave it.
        let mut response = Response::new(crate::response::full("hello"));
        response.extensions_mut().insert(Upstream {
            addr: Authority::from_static("127.0.0.1:9001"),
            elapsed: Duration::from_micros(4200),
        });
        drop(log.record(log.requested(&request, client), response));
        let line = std::fs::read_to_string(&path).unwrap();
        let (_, after_time) = line.split_once("] ").unwrap();
        assert!(line.starts_with("192.0.2.7 - - ["), "{line}");
        assert_eq!(
            after_time,
            "\"GET /hello HTTP/1.1\" 200 0 \"-\" \"curl/8.0\" upstream=127.0.0.1:9001 upstream_time=0.004\n"
        );
    }
}
