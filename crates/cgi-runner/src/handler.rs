//! From an HTTP request to a script run and back: the CGI host itself.
//!
//! [`Cgi::handle`] is what a server calls for each request that belongs to
//! CGI. It is deliberately *not* tied to a listener: `cgi-runner` calls it
//! for every request, and a bigger server (miniproxy, say) can call it for
//! the requests under one prefix, the way Apache's `ScriptAlias` hands
//! `/cgi-bin/` to mod_cgi and keeps everything else.
//!
//! The steps, each with a clear answer when it fails:
//!
//! | step | fails with |
//! |---|---|
//! | find the script under the root | 400 (`..`), 403 (not executable, outside), 404 |
//! | a body without a length (chunked) | 411 Length Required (a decision: see below) |
//! | build the environment (hooks) | 500 |
//! | start the process | 500, the reason in the log |
//! | read the header block | 504 when the script goes quiet, 500 when it ends first |
//! | parse it (hooks) | 500 "malformed header from script", the reason in the log |
//! | stream the body | the connection is cut (the status is already sent) |

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderName, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::process::{ChildStdin, ChildStdout};

use crate::head::Reply;
use crate::hooks::{guarded, Hooks};
use crate::locate::{locate, NotRun};
use crate::meta::ScriptRequest;
use crate::output::ScriptOutput;
use crate::response::{text, Body};
use crate::script::Script;

/// How a CGI host behaves.
#[derive(Debug, Clone)]
pub struct Config {
    /// The directory whose executable files are the scripts.
    pub root: PathBuf,
    /// The URL prefix the scripts live under: `/` when the whole server is
    /// CGI, `/cgi-bin/` when mounted like Apache's `ScriptAlias /cgi-bin/`.
    pub mount: String,
    /// The longest the script may stay silent, *between* two reads of its
    /// output (not for the whole request). Apache's `Timeout` works the same
    /// way, 60 s by default: a report that streams a line every second for
    /// ten minutes is fine; a script that hangs before its first line is not.
    pub idle_timeout: Duration,
    /// The most a script may write, header block included; past it the
    /// script is killed and the answer cut off. A runaway `while true; do
    /// echo; done` must not stream forever.
    pub max_output: u64,
    /// The longest header block read before giving up (500).
    pub max_head: usize,
    /// SERVER_SOFTWARE.
    pub server_software: String,
}

impl Config {
    /// Scripts from `root` at `/`, with Apache's 60 s idle timeout and a
    /// 1 GiB output limit.
    pub fn new(root: impl Into<PathBuf>) -> Config {
        Config {
            root: root.into(),
            mount: "/".into(),
            idle_timeout: Duration::from_secs(60),
            max_output: 1 << 30,
            max_head: 64 * 1024,
            server_software: format!("cgi-runner/{}", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// Local redirects a request may follow before the host gives up: a
/// script that redirects to itself must not loop forever.
const MAX_LOCAL_REDIRECTS: usize = 10;

/// The two ends of the connection a request came in on.
#[derive(Debug, Clone, Copy)]
pub struct Connection {
    /// Where the server accepted it (SERVER_PORT).
    pub local: SocketAddr,
    /// The client (REMOTE_ADDR, REMOTE_PORT).
    pub peer: SocketAddr,
}

/// A CGI host: cheap to clone (one per connection), shared state inside.
#[derive(Clone)]
pub struct Cgi {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    /// `config.root`, canonical: absolute and free of symlinks, so the
    /// "inside the root?" check compares like with like.
    root: PathBuf,
    hooks: Hooks,
}

/// What one pass through a script produced.
enum Outcome {
    Answer(Response<Body>),
    /// `Location: /path`: run the request again for this target.
    LocalRedirect(String),
}

impl Cgi {
    /// A host for `config.root`, which must exist.
    pub fn new(config: Config, hooks: Hooks) -> std::io::Result<Cgi> {
        let root = std::fs::canonicalize(&config.root)?;
        Ok(Cgi {
            inner: Arc::new(Inner {
                config,
                root,
                hooks,
            }),
        })
    }

    /// The configuration this host runs with.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    // ANCHOR: handle
    /// Answers one request by running a script. Never panics, never hangs
    /// past the idle timeout; every failure is a short text answer.
    pub async fn handle<B>(&self, request: Request<B>, connection: Connection) -> Response<Body>
    where
        B: hyper::body::Body<Data = Bytes> + Send + 'static,
        B::Error: std::fmt::Display + Send,
    {
        let (parts, body) = request.into_parts();
        let shown = format!("{} {}", parts.method, parts.uri);
        let mut method = parts.method;
        let mut target = parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |target| target.as_str().to_string());
        let mut headers = parts.headers;
        let mut body = Some(body);
        let protocol = format!("{:?}", parts.version);

        for _ in 0..=MAX_LOCAL_REDIRECTS {
            let request = (&method, target.as_str(), &headers, protocol.as_str());
            match self.run_once(request, body.take(), connection).await {
                Outcome::Answer(response) => {
                    tracing::info!("{} {shown} -> {}", connection.peer, response.status());
                    return response;
                }
                // RFC 3875 §6.2.2: the server answers as if the client had
                // asked for the new path with GET, and without a body.
                Outcome::LocalRedirect(path) => {
                    tracing::info!("{} {shown}: local redirect to {path}", connection.peer);
                    method = Method::GET;
                    target = path;
                    for name in [
                        header::CONTENT_LENGTH,
                        header::CONTENT_TYPE,
                        header::TRANSFER_ENCODING,
                    ] {
                        headers.remove(name);
                    }
                }
            }
        }
        error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "too many local redirects",
        )
    }
    // ANCHOR_END: handle

    async fn run_once<B>(
        &self,
        (method, target, headers, protocol): (&Method, &str, &HeaderMap, &str),
        body: Option<B>,
        connection: Connection,
    ) -> Outcome
    where
        B: hyper::body::Body<Data = Bytes> + Send + 'static,
        B::Error: std::fmt::Display + Send,
    {
        let inner = &self.inner;
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let Some((mount, rest)) = strip_mount(&inner.config.mount, path) else {
            return answer(StatusCode::NOT_FOUND, "not under the CGI directory");
        };

        // CGI scripts read exactly CONTENT_LENGTH bytes of stdin, so a body
        // of unknown length cannot be described to them: refused, on
        // purpose. (Apache 2.4's mod_cgid accepts it and leaves the script
        // to read stdin to its end; the chapter compares the two.)
        if headers.contains_key(header::TRANSFER_ENCODING) {
            return answer(
                StatusCode::LENGTH_REQUIRED,
                "CGI needs a Content-Length for a request body",
            );
        }

        let root = inner.root.clone();
        let rest_owned = rest.to_string();
        let located = match tokio::task::spawn_blocking(move || locate(&root, &rest_owned)).await {
            Ok(Ok(located)) => located,
            Ok(Err(not_run)) => return answer(not_run_status(&not_run), not_run),
            Err(_) => return answer(StatusCode::INTERNAL_SERVER_ERROR, "the lookup failed"),
        };
        let name = located.script_path.trim_start_matches('/').to_string();

        // ANCHOR: environment
        let request = ScriptRequest {
            method: method.to_string(),
            protocol: protocol.to_string(),
            script_name: format!("{mount}{}", located.script_path),
            path_info: located.path_info,
            query: query.to_string(),
            host: headers
                .get(header::HOST)
                .and_then(|host| host.to_str().ok())
                .map(str::to_string),
            local_addr: connection.local,
            peer: connection.peer,
            script_filename: located.filename.clone(),
            document_root: inner.root.clone(),
            server_software: inner.config.server_software.clone(),
        };
        let hooks = inner.hooks;
        let variables = guarded("request_variables", || (hooks.request_variables)(&request))
            .and_then(|mut variables| {
                let from_headers =
                    guarded("header_variables", || (hooks.header_variables)(headers))?;
                variables.extend(from_headers);
                Ok(variables)
            });
        let variables = match variables {
            Ok(variables) => variables,
            Err(panicked) => return answer(StatusCode::INTERNAL_SERVER_ERROR, panicked),
        };
        // ANCHOR_END: environment

        let (script, pipes) = match Script::spawn(&located.filename, &name, &variables) {
            Ok(started) => started,
            Err(error) => {
                // ENOEXEC ("Exec format error") is the usual one: a script
                // without a `#!` line.
                tracing::warn!("{name}: cannot start: {error}");
                return answer(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "the script could not start",
                );
            }
        };
        // No body (a GET): the script's stdin is closed at once (it reads
        // end-of-file), and no task is needed to feed it.
        match body {
            Some(body) if !body.is_end_stream() => {
                tokio::spawn(feed_stdin(pipes.stdin, body, name.clone()));
            }
            _ => drop(pipes.stdin),
        }
        self.read_answer(script, pipes.stdout, &name).await
    }

    // ANCHOR: read_answer
    /// Reads the script's header block, asks the hooks what it means, and
    /// starts streaming the rest.
    async fn read_answer(&self, script: Script, mut stdout: ChildStdout, name: &str) -> Outcome {
        let config = &self.inner.config;
        let hooks = self.inner.hooks;
        let mut output = Vec::new();
        let mut chunk = vec![0; 16 * 1024];
        let (head_end, body_start) = loop {
            match guarded("end_of_head", || (hooks.end_of_head)(&output)) {
                Ok(Some(found)) => break found,
                Ok(None) => {}
                Err(panicked) => {
                    return kill_and(script, StatusCode::INTERNAL_SERVER_ERROR, panicked).await
                }
            }
            if output.len() > config.max_head {
                tracing::warn!("{name}: header block longer than {} bytes", config.max_head);
                return kill_and(
                    script,
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "header block too large",
                )
                .await;
            }
            match tokio::time::timeout(config.idle_timeout, stdout.read(&mut chunk)).await {
                Ok(Ok(0)) => {
                    // Apache's words for the same thing, in its log.
                    tracing::warn!("{name}: end of script output before headers");
                    script.finish(config.idle_timeout).await;
                    return answer(
                        StatusCode::INTERNAL_SERVER_ERROR,
                        "end of script output before headers",
                    );
                }
                Ok(Ok(read)) => output.extend_from_slice(&chunk[..read]),
                Ok(Err(error)) => {
                    tracing::warn!("{name}: reading its output failed: {error}");
                    return kill_and(script, StatusCode::BAD_GATEWAY, "reading the script failed")
                        .await;
                }
                Err(_) => {
                    tracing::warn!("{name}: no output for {:?}; killed", config.idle_timeout);
                    return kill_and(script, StatusCode::GATEWAY_TIMEOUT, "the script timed out")
                        .await;
                }
            }
        };

        let reply = match std::str::from_utf8(&output[..head_end.min(output.len())]) {
            Ok(head) => guarded("parse_head", || (hooks.parse_head)(head)),
            Err(_) => Ok(Err(crate::head::BadHead::NotAHeader(
                "(not UTF-8 text)".into(),
            ))),
        };
        let reply = match reply {
            Ok(Ok(reply)) => reply,
            Ok(Err(bad)) => {
                // The reason goes to the log, for the administrator; the
                // client learns only that the script misbehaved.
                tracing::warn!("{name}: malformed header from script: {bad}");
                return kill_and(script, StatusCode::INTERNAL_SERVER_ERROR, MALFORMED).await;
            }
            Err(panicked) => {
                return kill_and(script, StatusCode::INTERNAL_SERVER_ERROR, panicked).await
            }
        };

        let (status, location, headers) = match reply {
            Reply::LocalRedirect { path } => {
                script.kill().await;
                return Outcome::LocalRedirect(path);
            }
            Reply::Document { status, headers } => (status, None, headers),
            Reply::ClientRedirect {
                location,
                status,
                headers,
            } => (status, Some(location), headers),
        };
        let response = match build_head(status, location, &headers) {
            Ok(response) => response,
            Err(bad) => {
                tracing::warn!("{name}: malformed header from script: {bad}");
                return kill_and(script, StatusCode::INTERNAL_SERVER_ERROR, MALFORMED).await;
            }
        };

        // The rest of the output streams as the body: hyper reads the
        // script's stdout itself, as the client takes the answer (output.rs).
        let leftover = Bytes::copy_from_slice(output.get(body_start..).unwrap_or_default());
        let body = ScriptOutput::new(script, stdout, leftover, config.clone(), name.to_string());
        Outcome::Answer(response.map(|()| BodyExt::boxed(body)))
    }
    // ANCHOR_END: read_answer
}

/// The body of the 500 for a script whose header block was refused.
pub const MALFORMED: &str = "malformed header from script";

fn answer(status: StatusCode, message: impl std::fmt::Display) -> Outcome {
    Outcome::Answer(error(status, message))
}

/// An answer made by the host itself, never by a script.
fn error(status: StatusCode, message: impl std::fmt::Display) -> Response<Body> {
    let mut response = text(status, message);
    response
        .headers_mut()
        .insert(header::SERVER, HeaderValue::from_static("cgi-runner"));
    response
}

async fn kill_and(script: Script, status: StatusCode, message: impl std::fmt::Display) -> Outcome {
    script.kill().await;
    answer(status, message)
}

fn not_run_status(not_run: &NotRun) -> StatusCode {
    match not_run {
        NotRun::NotUtf8 | NotRun::ParentDir | NotRun::BadByte => StatusCode::BAD_REQUEST,
        NotRun::NotFound => StatusCode::NOT_FOUND,
        NotRun::OutsideRoot | NotRun::NotExecutable => StatusCode::FORBIDDEN,
    }
}

/// `/cgi-bin/x.sh` under the mount `/cgi-bin/` → (`/cgi-bin`, `/x.sh`). The
/// mount matches whole segments: `/cgi-binary` is not under `/cgi-bin`.
fn strip_mount<'a>(mount: &'a str, path: &'a str) -> Option<(&'a str, &'a str)> {
    let mount = mount.trim_end_matches('/');
    let rest = path.strip_prefix(mount)?;
    (rest.is_empty() || rest.starts_with('/')).then_some((mount, rest))
}

/// Headers that describe the connection, which is the host's business,
/// not the script's: passed on, they would contradict hyper's framing.
const HOP_BY_HOP: &[&str] = &["connection", "keep-alive", "transfer-encoding", "upgrade"];

/// The HTTP response head for what the script asked, or why it cannot be.
fn build_head(
    status: u16,
    location: Option<String>,
    headers: &[(String, String)],
) -> Result<Response<()>, String> {
    let mut response = Response::new(());
    *response.status_mut() =
        StatusCode::from_u16(status).map_err(|_| format!("status {status} is not a status"))?;
    if let Some(location) = location {
        let value =
            HeaderValue::from_str(&location).map_err(|_| format!("bad Location {location:?}"))?;
        response.headers_mut().insert(header::LOCATION, value);
    }
    for (name, value) in headers {
        let name = HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("bad header name {name:?}"))?;
        if HOP_BY_HOP.contains(&name.as_str()) {
            continue;
        }
        let value = HeaderValue::from_str(value).map_err(|_| format!("bad value for {name}"))?;
        response.headers_mut().append(name, value);
    }
    Ok(response)
}

/// Copies the request body to the script's stdin, then closes it (the
/// script sees end-of-file). A script that never reads its stdin is fine:
/// the write fails with a broken pipe and the copy stops.
async fn feed_stdin<B>(mut stdin: ChildStdin, body: B, name: String)
where
    B: hyper::body::Body<Data = Bytes> + Send + 'static,
    B::Error: std::fmt::Display + Send,
{
    let mut body = std::pin::pin!(body);
    while let Some(frame) = body.frame().await {
        match frame {
            Ok(frame) => {
                if let Some(data) = frame.data_ref() {
                    if stdin.write_all(data).await.is_err() {
                        return; // the script stopped reading
                    }
                }
            }
            Err(error) => {
                tracing::debug!("{name}: the request body broke off: {error}");
                return;
            }
        }
    }
}
