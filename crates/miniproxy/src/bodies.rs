//! Body wrappers the proxy needs to time the right thing.
//!
//! A proxy's read timeout (nginx's `proxy_read_timeout`) is not "the whole
//! exchange must finish within N seconds": a 10 MB upload over a slow link
//! or a long video download can rightly take minutes. It is "the upstream
//! may not go *silent* for N seconds once it has the request". So:
//!
//! * [`RequestBody`] tells when the client's body has been passed on in
//!   full (the clock for the upstream's answer starts then, not while an
//!   upload is still arriving), and whether the client's body was broken
//!   (a malformed chunk is the client's fault: 400, not 502);
//! * [`IdleTimeout`] cuts a response body that stalls between two reads,
//!   so a client never hangs on an upstream that stopped mid-answer.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body as HttpBody, Frame, Incoming, SizeHint};
use tokio::sync::Notify;
use tokio::time::Sleep;

use crate::response::BoxError;

/// What the forwarding code learns about the client's body as it streams.
#[derive(Debug, Default)]
pub struct BodyProgress {
    /// Notified once, when the body has been read to its end (or failed).
    pub finished: Notify,
    /// Set when reading the client's body failed.
    pub broken: AtomicBool,
}

/// The client's request body on its way upstream, reporting its progress.
pub struct RequestBody {
    inner: Incoming,
    progress: Arc<BodyProgress>,
}

impl RequestBody {
    pub fn new(inner: Incoming, progress: Arc<BodyProgress>) -> RequestBody {
        RequestBody { inner, progress }
    }
}

impl HttpBody for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(None) => self.progress.finished.notify_one(),
            Poll::Ready(Some(Err(_))) => {
                self.progress.broken.store(true, Ordering::Relaxed);
                self.progress.finished.notify_one();
            }
            _ => {}
        }
        polled.map(|frame| frame.map(|result| result.map_err(Into::into)))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that fails when no frame arrives for `timeout`, and that
/// carries `guard` (a request-in-flight count) until it is finished.
pub struct IdleTimeout<G> {
    inner: Incoming,
    timeout: Duration,
    /// Started the first time the upstream makes us wait. A small answer
    /// usually never does (it came with the head), and then costs no timer.
    sleep: Option<Pin<Box<Sleep>>>,
    _guard: G,
}

impl<G> IdleTimeout<G> {
    pub fn new(inner: Incoming, timeout: Duration, guard: G) -> IdleTimeout<G> {
        IdleTimeout {
            inner,
            timeout,
            sleep: None,
            _guard: guard,
        }
    }
}

/// The error a stalled upstream body ends with.
#[derive(Debug, thiserror::Error)]
#[error("the upstream sent nothing for {0:?} in the middle of its answer")]
pub struct Stalled(pub Duration);

impl<G: Unpin> HttpBody for IdleTimeout<G> {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match Pin::new(&mut this.inner).poll_frame(cx) {
            Poll::Ready(frame) => {
                // Something arrived: the silence starts over.
                if let Some(sleep) = &mut this.sleep {
                    sleep
                        .as_mut()
                        .reset(tokio::time::Instant::now() + this.timeout);
                }
                Poll::Ready(frame.map(|frame| frame.map_err(Into::into)))
            }
            Poll::Pending => {
                let timeout = this.timeout;
                let sleep = this
                    .sleep
                    .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
                match sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Some(Err(Stalled(timeout).into()))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
