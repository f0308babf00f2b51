// Mistake: anything that is not loopback counts as every interface.
// A server bound to one address (192.0.2.10) is reachable through that
// interface only, which is a different answer.

use std::net::IpAddr;

use crate::Exposure;

pub use portaudit::firewall::evaluate;
pub use portaudit::procnet::parse_line;

pub fn exposure(address: IpAddr) -> Exposure {
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    };
    if address.is_loopback() {
        Exposure::Loopback
    } else {
        Exposure::All
    }
}
