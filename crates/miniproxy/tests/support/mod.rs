//! Support shared by the proxy tests.

pub mod peers;
pub mod upstream;
