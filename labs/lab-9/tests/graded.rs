//! Lab 9's graded tests, one test program so `cargo test -p lab-9` runs
//! them all.
//!
//! Each test makes a local CA and a certificate per site (as `miniproxy
//! cert` does), starts the real miniproxy listening for HTTP and HTTPS with
//! your function plugged in, and asks the real curl, which checks
//! certificates the way a browser does.

#[path = "graded/support.rs"]
mod support;

/// `https_redirect`: chapter 8, "Redirecting to HTTPS"
#[path = "graded/https_redirect.rs"]
mod https_redirect;
/// `select_certificate`: chapter 8, "Choosing the certificate"
#[path = "graded/select_certificate.rs"]
mod select_certificate;
