//! Running out of file descriptors, and what to do about it.
//!
//! Every open connection is a file descriptor, and a process may hold only
//! so many: the "open files" limit (`ulimit -n`). It comes in two numbers,
//! a *soft* limit that is enforced and a *hard* limit up to which a process
//! may raise its own soft limit without privileges. Many systems start
//! programs with a soft limit of 1024, far below the hard one, for the sake
//! of old programs that cannot handle larger descriptor numbers. A server
//! that proxies holds two descriptors per request (the client's and the
//! upstream's), so 1024 runs out at about 500 busy clients. Hence
//! [`raise_open_files_limit`], which nginx does with
//! `worker_rlimit_nofile` and systemd with `LimitNOFILE=`.
//!
//! Even raised, the limit can be reached. Then `accept` fails with EMFILE
//! ("too many open files"), and the connection stays in the kernel's queue:
//! the client has connected, sent its request, and waits, and the server
//! cannot even take the connection to say "not now". [`Reserve`] is the
//! classic way out (libev's and Node's "reserve descriptor" trick): keep one
//! spare descriptor open for exactly this moment, and on EMFILE close it,
//! accept the waiting client, answer it `503 Service Unavailable` with
//! [`refuse`], close it, and reopen the spare. The client learns the truth
//! at once instead of timing out at random.

use std::fs::File;
use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Raises this process's soft open-files limit to its hard limit, and
/// returns the new limit. Call it once at start, before accepting.
///
/// Failure is not fatal (the old limit still works, just lower), so the
/// caller logs it and goes on.
#[cfg(unix)]
pub fn raise_open_files_limit() -> io::Result<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct we own.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return Err(io::Error::last_os_error());
    }
    if limit.rlim_cur < limit.rlim_max {
        limit.rlim_cur = limit.rlim_max;
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &limit) } != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    // `rlim_t` is u64 on Linux, but not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    Ok(limit.rlim_cur as u64)
}

/// Whether an `accept` error means "out of descriptors": EMFILE for this
/// process, ENFILE for the whole system.
pub(crate) fn out_of_descriptors(error: &io::Error) -> bool {
    #[cfg(unix)]
    return matches!(error.raw_os_error(), Some(libc::EMFILE | libc::ENFILE));
    #[cfg(not(unix))]
    return false;
}

/// The spare descriptor kept for the moment every other one is taken.
pub(crate) struct Reserve(Option<File>);

impl Reserve {
    /// Opens the spare at once.
    pub(crate) fn new() -> Reserve {
        let mut reserve = Reserve(None);
        reserve.refill();
        reserve
    }

    /// Reopens the spare if it was used. While the refused client's
    /// descriptor is still open this fails, and is simply tried again
    /// later: the next EMFILE waits for [`crate::ACCEPT_BACKOFF`] instead.
    pub(crate) fn refill(&mut self) {
        if self.0.is_none() {
            self.0 = File::open(null_device()).ok();
        }
    }

    /// Closes the spare, freeing one descriptor for an `accept`; false if
    /// it was already used.
    pub(crate) fn release(&mut self) -> bool {
        self.0.take().is_some()
    }
}

fn null_device() -> &'static str {
    if cfg!(windows) {
        "NUL"
    } else {
        "/dev/null"
    }
}

/// The whole answer to a client we cannot serve: raw bytes, because the
/// HTTP machinery would want resources we do not have.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Length: 63\r\n\
Connection: close\r\n\
Retry-After: 1\r\n\
\r\n\
503 Service Unavailable: the server is out of file descriptors\n";

/// How long [`refuse`] waits for the client to read its 503 and hang up.
const LINGER: Duration = Duration::from_secs(2);

/// Answers `503` on a connection taken with the reserve descriptor, then
/// closes it.
///
/// The order matters. Closing a socket whose client has sent bytes we never
/// read makes the kernel send a reset (RST) instead of a normal close, and a
/// reset can destroy our answer before the client has read it. So: write the
/// answer, say we are done writing (FIN), then read and discard whatever the
/// client sent until it hangs up, for at most [`LINGER`]. nginx calls this
/// a "lingering close".
pub(crate) async fn refuse(mut stream: TcpStream) {
    if stream.write_all(REFUSAL).await.is_err() {
        return;
    }
    let _ = stream.shutdown().await;
    let drain = async {
        let mut scratch = [0u8; 1024];
        while let Ok(1..) = stream.read(&mut scratch).await {}
    };
    let _ = tokio::time::timeout(LINGER, drain).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refusal_says_its_length_right() {
        let text = std::str::from_utf8(REFUSAL).unwrap();
        let (_, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(text.contains(&format!("Content-Length: {}\r\n", body.len())));
    }
}
