//! How the learner runs `workbook`, so every command we suggest can be
//! pasted back as-is.
//!
//! The book and README say `cargo run -p workbook -- hint 1`; someone who
//! installed the binary types `workbook hint 1`. A suggestion in the wrong
//! form fails when pasted ("no such command: workbook"), which is exactly
//! the moment a stuck learner does not need. `cargo run` tells its child
//! which package it is running in `CARGO_PKG_NAME`; that is the signal.

/// `workbook <args>` or `cargo run -p workbook -- <args>`.
pub fn suggest(args: &str) -> String {
    let ours = env!("CARGO_PKG_NAME");
    if std::env::var_os("CARGO_PKG_NAME").is_some_and(|name| name == ours) {
        format!("cargo run -p {ours} -- {args}")
    } else {
        format!("{ours} {args}")
    }
}
