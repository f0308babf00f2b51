//! Lab 8: the layer merge and the production guard.
//!
//! This is the only file you edit. Run `cargo test -p lab-8` to grade it,
//! `cargo run -p workbook -- hint 8 merge` (or `guard`) for a hint, and
//! `cargo run -p workbook -- watch 8` to re-grade on every save.

// The stubs do not use their arguments yet; this keeps the compiler quiet
// about it until yours do.
#![allow(unused_variables)]

use crate::{ExternalFile, Layer, Settings};

/// Merges configuration layers into the effective settings.
/// (Chapter 7, "Layers, weakest first")
///
/// `layers` come weakest first: built-in defaults, the in-repo file, the
/// external file, the environment, the flags (some may be missing). Each
/// [`Layer`] holds [`Entry`](crate::Entry)s: a `key`, a `value` and the
/// [`Source`](crate::Source) it came from. Within a layer, entries are in
/// reading order (a file's `[profile.NAME]` section comes after the rest
/// of that file).
///
/// Return one [`Setting`](crate::Setting) per key, in `Settings.0` (a
/// `BTreeMap` by key):
/// - `value`: a later layer beats an earlier one, and a later entry beats
///   an earlier one in the same layer;
/// - `source`: the source of the value that won;
/// - `overridden`: the sources it beat, weakest first.
pub fn merge(layers: &[Layer]) -> Settings {
    todo!("lab 8: merge the layers, the strongest last, keeping where each value came from")
}

/// Decides whether the `prod` profile may start with these settings.
/// (Chapter 7, "The production guard")
///
/// `profile` is the running profile; `settings` are the merged settings
/// (each knows its source); `external` is the external config file's path
/// and permission bits (`mode`, as in `0o640`), if one was given.
///
/// In any profile but `prod`, return `Ok(())`. In `prod`, return
/// `Err(one line)` for:
/// - an external file whose mode has any bit outside `0o600`: name the
///   path, and the fix `chmod 600 PATH`;
/// - `database.ddl-auto` set to `create` or `create-drop`, by any layer:
///   name the setting and where it came from (a `Source` displays as
///   `environment DEMO_WAS_DATABASE_DDL_AUTO`);
/// - a `database.password` that came from the in-repo file: name the
///   setting and its source, and never its value.
pub fn guard(
    profile: &str,
    settings: &Settings,
    external: Option<&ExternalFile>,
) -> Result<(), String> {
    todo!("lab 8: refuse what would lose data or leak a secret in prod")
}
