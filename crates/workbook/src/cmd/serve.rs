//! `workbook serve` (the default command): build the book, serve it locally.
//!
//! The book is served by the project's own static server, miniproxy, the
//! same code the book teaches with. Like every listener in this project it
//! binds 127.0.0.1: a learner's notes are nobody else's business, and "bind
//! to all interfaces" is something the book teaches you to choose, not to
//! get by default.

use std::io::{self, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;

use crate::{book, served};

#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Port to listen on, on 127.0.0.1 [default: 3000]
    // An Option rather than `default_value_t`, so `main` can tell "not given"
    // from "given as 3000" when these flags appear next to another command.
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,
    /// Open the book in your web browser
    #[arg(long)]
    pub open: bool,
    /// Instructors: show the speaker notes on every page, and the
    /// "Presenter view" button (notes and a timer in a second window)
    #[arg(long)]
    pub instructor: bool,
}

impl ServeArgs {
    pub const DEFAULT_PORT: u16 = 3000;

    pub fn port(&self) -> u16 {
        self.port.unwrap_or(Self::DEFAULT_PORT)
    }

    /// Whether any serve flag was given.
    pub fn is_given(&self) -> bool {
        self.port.is_some() || self.open || self.instructor
    }
}

pub fn run(root: &Path, args: &ServeArgs) -> anyhow::Result<ExitCode> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port()));
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;

    // Check the port before building: a busy port should cost the learner
    // one line and no waiting.
    runtime.block_on(check_port(addr))?;

    // The build is synchronous and runs outside the runtime on purpose:
    // mdBook must be free to use whatever it likes internally.
    let site = book::build(root).context("cannot build the book")?;
    if !site.is_dir() {
        bail!(
            "the book was built, but its output directory {} is missing",
            site.display()
        );
    }

    // What the pages ask the server for (book/theme/course.js): instructor
    // mode or not. Written after the build, which empties the directory.
    served::write(&site, &served::Session::new(args.instructor))?;
    // The lab pages' grades, as the last `check` left them (`check` writes
    // this file again after each grading).
    // A broken progress file costs the grades, not the book.
    let state = crate::state::State::load(root).unwrap_or_else(|err| {
        let _ = writeln!(io::stderr(), "warning: no grades in the book: {err:#}");
        crate::state::State::default()
    });
    served::write_progress(&site, &served::Progress::of(root, &state)?)?;

    runtime.block_on(async {
        // Ctrl-C or SIGTERM both stop the server gracefully; the handlers
        // go in before the URL is printed, so no signal is ever missed.
        let stop_signal = shutdown::signal().context("cannot listen for Ctrl-C and SIGTERM")?;
        let config = miniproxy::Config::static_site(site, addr);
        let running = miniproxy::start(config, miniproxy::Hooks::default())
            .await
            .map_err(|err| listen_error(addr, err))?;

        let url = format!("http://{}/", running.local_addr());
        // `writeln!` with the error ignored, not `println!`/`eprintln!`:
        // those panic when the stream is a closed pipe (`workbook serve |
        // head -1`), and a panic here would stop the server.
        let _ = writeln!(io::stdout(), "Serving the book at {url} (Ctrl-C to stop)");
        if args.instructor {
            let _ = writeln!(
                io::stdout(),
                "Instructor mode: speaker notes are shown; \"Presenter view\" opens notes and a timer"
            );
        }
        if args.open {
            if let Err(err) = opener::open(&url) {
                let _ = writeln!(
                    io::stderr(),
                    "warning: could not open a browser ({err}); open {url} yourself"
                );
            }
        }

        stop_signal.await;
        let _ = writeln!(io::stderr(), "Stopping...");
        // Graceful: requests in flight finish before we exit.
        running.stop().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Binds and releases `addr`. Uses tokio's listener, which sets the same
/// socket options (SO_REUSEADDR on Unix) as the server will, so a port
/// with only leftover TIME_WAIT connections from a previous run is not
/// mistaken for a busy one.
async fn check_port(addr: SocketAddr) -> anyhow::Result<()> {
    match tokio::net::TcpListener::bind(addr).await {
        Ok(listener) => {
            drop(listener);
            Ok(())
        }
        Err(err) => Err(listen_error(addr, err)),
    }
}

/// One clear line, with the way out when there is an obvious one.
fn listen_error(addr: SocketAddr, err: std::io::Error) -> anyhow::Error {
    let port = addr.port();
    if err.kind() == std::io::ErrorKind::AddrInUse {
        match port.checked_add(1) {
            Some(next) if port != 0 => {
                anyhow::anyhow!("port {port} is busy: {err}; try --port {next}")
            }
            _ => anyhow::anyhow!("port {port} is busy: {err}; try another --port"),
        }
    } else {
        anyhow::anyhow!("cannot listen on {addr}: {err}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_busy_port_says_which_and_what_to_try() {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let err = check_port(addr).await.unwrap_err().to_string();
        let port = addr.port();
        assert!(err.starts_with(&format!("port {port} is busy: ")), "{err}");
        assert!(
            err.ends_with(&format!("; try --port {}", port + 1)),
            "{err}"
        );
    }

    #[tokio::test]
    async fn a_free_port_passes_and_is_released() {
        let free = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = free.local_addr().unwrap();
        drop(free);
        check_port(addr).await.unwrap();
        // Released again: the server can have it.
        tokio::net::TcpListener::bind(addr).await.unwrap();
    }
}
