//! The script's output, after its header block, as the response body.
//!
//! hyper asks a body for its next piece (`poll_frame`) whenever it can send
//! one; this body answers by reading the script's stdout right then. So the
//! pipe is read at the pace the client takes the answer, with no task and
//! no channel in between, and every way the answer can end is here:
//!
//! | what happens | the body | the script |
//! |---|---|---|
//! | the script closes its output | ends | given a grace period to exit, then reaped |
//! | silent longer than the idle timeout | breaks off with an error | killed with its group |
//! | more output than the limit | breaks off with an error | killed with its group |
//! | the client goes away | is dropped by hyper | killed with its group (`Script`'s `Drop`) |
//!
//! A broken-off body makes hyper cut the connection, so the client sees a
//! broken transfer, never a short answer that looks complete: the status
//! line went out long ago, and this is the only way left to say "failed".

use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use hyper::body::Frame;
use tokio::io::{AsyncRead, ReadBuf};
use tokio::process::ChildStdout;
use tokio::time::{Instant, Sleep};

use crate::handler::Config;
use crate::response::BoxError;
use crate::script::Script;

/// How much one read takes from the pipe.
const CHUNK: usize = 64 * 1024;

/// The rest of a script's output, read as hyper sends it.
pub struct ScriptOutput {
    /// `None` once the output ended (the script is being reaped) or failed.
    script: Option<Script>,
    stdout: ChildStdout,
    /// What came after the blank line in the reads that found the head.
    leftover: Option<Bytes>,
    /// When the script has been silent too long; pushed back by each read.
    idle: Pin<Box<Sleep>>,
    written: u64,
    /// The buffer each read fills (a copy of what was read is sent).
    chunk: Vec<u8>,
    config: Config,
    name: String,
}

impl ScriptOutput {
    pub fn new(
        script: Script,
        stdout: ChildStdout,
        leftover: Bytes,
        config: Config,
        name: String,
    ) -> ScriptOutput {
        ScriptOutput {
            script: Some(script),
            stdout,
            written: leftover.len() as u64,
            leftover: (!leftover.is_empty()).then_some(leftover),
            idle: Box::pin(tokio::time::sleep(config.idle_timeout)),
            chunk: vec![0; CHUNK],
            config,
            name,
        }
    }

    /// Ends the answer with an error, killing the script's whole group.
    fn fail(&mut self, problem: String) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        tracing::warn!("{}: {problem}; killed", self.name);
        self.script = None; // dropped: see `Script`'s `Drop`
        Poll::Ready(Some(Err(problem.into())))
    }
}

impl hyper::body::Body for ScriptOutput {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.script.is_none() {
            return Poll::Ready(None);
        }
        if let Some(first) = this.leftover.take() {
            return Poll::Ready(Some(Ok(Frame::data(first))));
        }
        let mut buf = ReadBuf::new(&mut this.chunk);
        match Pin::new(&mut this.stdout).poll_read(cx, &mut buf) {
            Poll::Ready(Ok(())) if buf.filled().is_empty() => {
                // The script closed its output: the answer is complete.
                if let Some(script) = this.script.take() {
                    tokio::spawn(script.finish(this.config.idle_timeout));
                }
                Poll::Ready(None)
            }
            Poll::Ready(Ok(())) => {
                let data = Bytes::copy_from_slice(buf.filled());
                this.written += data.len() as u64;
                if this.written > this.config.max_output {
                    let limit = this.config.max_output;
                    return this.fail(format!("wrote more than {limit} bytes"));
                }
                let deadline = Instant::now() + this.config.idle_timeout;
                this.idle.as_mut().reset(deadline);
                Poll::Ready(Some(Ok(Frame::data(data))))
            }
            Poll::Ready(Err(error)) => this.fail(format!("reading its output failed: {error}")),
            Poll::Pending => {
                ready!(this.idle.as_mut().poll(cx));
                let idle = this.config.idle_timeout;
                this.fail(format!("no output for {idle:?}"))
            }
        }
    }
}
