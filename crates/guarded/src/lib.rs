//! Running a learner's code inside a real engine without letting it take
//! the engine down.
//!
//! Every lab plugs the learner's functions into a real tool (miniproxy, the
//! CGI host, the switcher, demo-was) as hooks. An unfinished exercise is a
//! `todo!()`, which panics; a panic inside a server would drop the
//! connection, or end the process, and the learner would see "connection
//! reset" instead of what went wrong. [`guarded`] catches the panic and
//! turns it into a message that names the hook, which the engine then
//! reports like any other error (a 500 with the message, a one-line error).

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `call`; a panic becomes `` the `HOOK` hook panicked: MESSAGE ``.
pub fn guarded<T>(hook: &str, call: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(call))
        .map_err(|panic| format!("the `{hook}` hook panicked: {}", panic_message(&*panic)))
}

/// What a panic said: `panic!("…")` and `todo!("…")` carry a `&str` or a
/// `String`; anything else has no message to show.
pub fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(a panic without a message)".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_a_message_naming_the_hook() {
        let outcome: Result<(), String> = guarded("resolve", || todo!("lab 1: decode"));
        assert_eq!(
            outcome.unwrap_err(),
            "the `resolve` hook panicked: not yet implemented: lab 1: decode"
        );
        assert_eq!(guarded("classify", || 41 + 1), Ok(42));
    }
}
