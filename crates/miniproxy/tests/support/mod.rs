//! Support shared by the proxy tests.

pub mod upstream;
