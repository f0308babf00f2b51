//! # Lab 4: a CGI host's two halves
//!
//! You write the four functions a CGI host uses to tell a script about the
//! request and to read its answer, and the graded tests run the real
//! cgi-runner, with real sh, perl and python3 scripts, with your code
//! plugged in:
//!
//! * [`request_variables`]: what the server knows (SCRIPT_NAME, PATH_INFO,
//!   QUERY_STRING, SERVER_NAME, REMOTE_ADDR, …);
//! * [`header_variables`]: what the client said, as `HTTP_*` variables,
//!   httpoxy included;
//! * [`end_of_head`]: where the script's header block ends;
//! * [`parse_head`]: what it asks for: a document, a local redirect, a
//!   redirect for the client, or nothing valid at all.
//!
//! Edit `src/exercise.rs` only, then run `cargo test -p lab-4`.
//! Chapter 4 of the book explains everything the tests ask for.

// Which code is graded. One of three, and only one:
// - yours, from `src/exercise.rs` (the default);
// - with `--features solution`, cgi-runner's own code: the functions the
//   `cgi-runner` binary runs, so the tool and the answer never drift apart;
// - with `--features mistake`, a known wrong answer from `mistakes/`, named
//   by the WORKBOOK_MISTAKE environment variable. `workbook verify` uses it
//   to prove that the graded tests catch each one. `solution` wins when both
//   are on, so `cargo test --all-features` grades the reference.
#[cfg(not(any(feature = "solution", feature = "mistake")))]
mod exercise;

#[cfg(all(feature = "mistake", not(feature = "solution")))]
mod exercise {
    include!(env!(
        "WORKBOOK_MISTAKE",
        "set WORKBOOK_MISTAKE to a file in labs/lab-4/mistakes (workbook verify does)"
    ));
}

#[cfg(not(feature = "solution"))]
pub use exercise::{end_of_head, header_variables, parse_head, request_variables};

#[cfg(feature = "solution")]
pub use cgi_runner::head::{end_of_head, parse_head};
#[cfg(feature = "solution")]
pub use cgi_runner::meta::{header_variables, request_variables};

pub use cgi_runner::{BadHead, Reply, ScriptRequest};
pub use http::HeaderMap;

/// Your four functions, ready to plug into the real cgi-runner.
pub fn hooks() -> cgi_runner::Hooks {
    cgi_runner::Hooks {
        request_variables,
        header_variables,
        end_of_head,
        parse_head,
    }
}
