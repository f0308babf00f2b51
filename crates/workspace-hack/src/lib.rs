//! Nothing to see here: this crate only exists for its `Cargo.toml`, which
//! explains why.
