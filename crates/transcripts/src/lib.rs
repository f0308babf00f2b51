//! The book's "Run it" transcripts, checked against the real thing.
//!
//! Each chapter's "Run it" section shows shell sessions: commands, and the
//! output a reader should see. A transcript typed once and never run again
//! drifts: a flag is renamed, a header is added, and the reader's screen no
//! longer matches the page at the one moment they are trying to follow it.
//! So this crate reads those sessions straight from the chapter
//! ([`parse`]), runs every command for real, in order, the way the reader
//! would (servers stay up in the background, Ctrl+C stops them), and
//! compares the output line by line, masking only what truly varies
//! ([`mask`]: dates, log timestamps, ETags, a client's ephemeral port).
//!
//! One mechanism for every chapter: a new chapter's "Run it" is checked the
//! day it lands, by `tests/book.rs`, with nothing written for it but the
//! chapter itself.

pub mod mask;
pub mod parse;
pub mod run;

pub use parse::{run_it, Check, Section, Step};
pub use run::{Outcome, Session};
