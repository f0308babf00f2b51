//! # cgi-runner: a CGI host, the way Apache's mod_cgi is one
//!
//! The Common Gateway Interface (RFC 3875) is the oldest way for a web
//! server to run an application: for each request it starts a program (the
//! *script*), tells it about the request in environment variables, feeds it
//! the body on stdin, and reads the answer, a small header block and the
//! body, from its stdout. Any language works; nothing stays running between
//! requests; and a process is started for every single request.
//!
//! The modules, one idea each:
//!
//! * [`locate`]: which script a URL names, and the rest as PATH_INFO,
//!   without ever leaving the root;
//! * [`meta`]: the request as meta-variables (lab 4);
//! * [`head`]: the script's header block read back (lab 5);
//! * [`script`]: the child process: clean environment, own process group,
//!   killed and reaped on every way out;
//! * [`output`]: the script's stdout as the response body, read as the
//!   client takes it;
//! * [`handler`]: the steps tied together, one request at a time
//!   ([`Cgi::handle`], which another server can mount);
//! * [`server`]: `cgi-runner` as a server of its own.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use cgi_runner::{Cgi, Config, Hooks};
//! let cgi = Cgi::new(Config::new("playground/ch4/cgi-bin"), Hooks::default())?;
//! let running = cgi_runner::start("127.0.0.1:8088".parse().unwrap(), cgi).await?;
//! println!("serving CGI on http://{}", running.local_addr());
//! running.stop().await;
//! # Ok(()) }
//! ```

pub mod handler;
pub mod head;
pub mod hooks;
pub mod locate;
pub mod meta;
pub mod output;
pub mod response;
pub mod script;
pub mod server;

pub use handler::{Cgi, Config, Connection, MALFORMED};
pub use head::{BadHead, Reply};
pub use hooks::Hooks;
pub use meta::ScriptRequest;
pub use server::{start, Running};
