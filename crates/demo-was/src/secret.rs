//! A value that must never be printed.
//!
//! The easy way to leak a password is not to print it on purpose: it is a
//! `{:?}` of a struct that holds it, in a log line or a panic message. A
//! [`Secret`]'s `Debug` and `Display` both print a mask, so no formatting
//! path can show it; [`Secret::expose`] is the one way to the value, and
//! only the database login calls it.

use std::fmt;

#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

/// What is printed in place of every secret.
pub const MASK: &str = "******";

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The value itself. Grep for `expose(` to find every use.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({MASK})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(MASK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_formatting_shows_it() {
        let secret = Secret::new("hunter2".into());
        let shown = format!("{secret} {secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("hunter2"), "{shown}");
        assert_eq!(secret.expose(), "hunter2");
    }
}
