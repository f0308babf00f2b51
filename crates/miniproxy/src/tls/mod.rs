//! HTTPS in front (chapter 8): TLS is ended here, in the web server, and
//! the application behind it keeps speaking plain HTTP/1.1 on loopback.
//!
//! Why here? The web server is the one process that faces the internet;
//! it holds the certificates, renews them, and reloads them without a
//! restart. The application server (the WAS) never needs a certificate, a
//! private key, or a TLS library: one place to get right instead of one per
//! application. nginx and Apache do the same (`ssl_certificate`,
//! `SSLCertificateFile`).
//!
//! * [`certs`]: PEM files read and checked (key matches, not expired);
//! * [`store`]: the certificate a handshake gets, chosen by SNI with the
//!   `select_certificate` hook, replaced whole on a reload;
//! * [`listen`]: the HTTPS listener, TLS 1.2/1.3, ALPN `h2` and `http/1.1`;
//! * [`local_ca`]: a certificate authority of your own for local names
//!   (`miniproxy cert`), like mkcert.
//!
//! This module is compiled only with the `tls` cargo feature: chapters and
//! labs that never speak TLS never compile rustls.

pub mod certs;
pub mod listen;
pub mod local_ca;
pub mod store;

pub use certs::{CertError, CertTable};
pub use listen::{server_config, HttpsRunning};
pub use store::CertStore;
