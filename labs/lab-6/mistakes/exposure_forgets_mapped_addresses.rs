// Mistake: forgets IPv4-mapped addresses. `::ffff:127.0.0.1` is
// 127.0.0.1 written the IPv6 way, but `Ipv6Addr::is_loopback` only knows
// `::1`, so it comes out as one specific interface.

use std::net::IpAddr;

use crate::Exposure;

pub use portaudit::firewall::evaluate;
pub use portaudit::procnet::parse_line;

pub fn exposure(address: IpAddr) -> Exposure {
    if address.is_loopback() {
        Exposure::Loopback
    } else if address.is_unspecified() {
        Exposure::All
    } else {
        Exposure::Specific
    }
}
