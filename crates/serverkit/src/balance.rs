//! Workers that share the clients out evenly.
//!
//! Every worker accepts from the same listening socket, and the kernel
//! gives each new client to whichever worker asks first: usually the one
//! that happens to be awake. Measured under load, one worker of two ended up
//! with three quarters of the connections, and its clients waited longer.
//!
//! So a worker that is well ahead of another (two connections or more)
//! hands a client it has just accepted to the worker with the fewest, over
//! a channel. The accept itself stays where it was, in every worker: that
//! keeps the out-of-descriptors answer (`descriptors.rs`) working, which a
//! socket per worker would not (see the comment at `Server::start`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tokio::sync::OwnedSemaphorePermit;

/// A client just accepted: the connection, its address, and its slot, if
/// connections are capped.
pub type Client = (TcpStream, SocketAddr, Option<OwnedSemaphorePermit>);

/// A client on its way to another worker: the connection (detached from
/// the event loop that accepted it), its address, and its slot, if
/// connections are capped.
pub type Handed = (
    std::net::TcpStream,
    SocketAddr,
    Option<OwnedSemaphorePermit>,
);

/// One worker's view of the team.
pub struct Team {
    me: usize,
    /// How many connections each worker serves.
    open: Arc<Vec<AtomicUsize>>,
    /// Where to hand each worker a client.
    inboxes: Arc<Vec<UnboundedSender<Handed>>>,
    /// Clients handed to this worker.
    pub inbox: UnboundedReceiver<Handed>,
}

impl Team {
    /// One `Team` per worker, all sharing the counts and the inboxes.
    pub fn of(workers: usize) -> Vec<Team> {
        let open: Arc<Vec<AtomicUsize>> =
            Arc::new((0..workers).map(|_| AtomicUsize::new(0)).collect());
        let (senders, receivers): (Vec<_>, Vec<_>) =
            (0..workers).map(|_| unbounded_channel()).unzip();
        let inboxes = Arc::new(senders);
        receivers
            .into_iter()
            .enumerate()
            .map(|(me, inbox)| Team {
                me,
                open: open.clone(),
                inboxes: inboxes.clone(),
                inbox,
            })
            .collect()
    }

    /// Tells the others how many connections this worker serves now.
    pub fn serving(&self, connections: usize) {
        self.open[self.me].store(connections, Ordering::Relaxed);
    }

    /// Hands a client this worker has just accepted to the worker with the
    /// fewest connections, if this one has two or more than that; gives it
    /// back to be served here otherwise (or if the hand-over fails).
    pub fn share(&self, (stream, peer, slot): Client) -> Option<Client> {
        let count = |worker: usize| self.open[worker].load(Ordering::Relaxed);
        let fewest = (0..self.open.len()).min_by_key(|&worker| count(worker))?;
        if count(self.me) < count(fewest) + 2 {
            return Some((stream, peer, slot));
        }
        // Out of this event loop, into the other's (`TcpStream::from_std`).
        // Should this one refuse to let it go, the client is dropped, as if
        // its accept had failed.
        let stream = stream.into_std().ok()?;
        match self.inboxes[fewest].send((stream, peer, slot)) {
            Ok(()) => {
                // Counted at once, so the next client does not go there too
                // before that worker has said so itself.
                self.open[fewest].fetch_add(1, Ordering::Relaxed);
                None
            }
            // That worker has stopped: serve the client here after all.
            Err(returned) => {
                let (stream, peer, slot) = returned.0;
                Some((TcpStream::from_std(stream).ok()?, peer, slot))
            }
        }
    }
}
