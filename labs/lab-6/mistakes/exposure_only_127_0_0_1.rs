// Mistake: takes only 127.0.0.1 as loopback. All of 127.0.0.0/8 is
// loopback: a server on 127.0.0.2 is just as private.

use std::net::IpAddr;

use crate::Exposure;

pub use portaudit::firewall::evaluate;
pub use portaudit::procnet::parse_line;

pub fn exposure(address: IpAddr) -> Exposure {
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    };
    if address == IpAddr::from([127, 0, 0, 1]) || address == IpAddr::from([0u16, 0, 0, 0, 0, 0, 0, 1]) {
        Exposure::Loopback
    } else if address.is_unspecified() {
        Exposure::All
    } else {
        Exposure::Specific
    }
}
