// Mistake: treats the IPv6 wildcard `::` as loopback-only, because it
// looks like `::1` without the 1. `::` is every interface, and with
// V6ONLY off it takes IPv4 connections too.

use std::net::IpAddr;

use crate::Exposure;

pub use portaudit::firewall::evaluate;
pub use portaudit::procnet::parse_line;

pub fn exposure(address: IpAddr) -> Exposure {
    let address = match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    };
    match address {
        IpAddr::V6(v6) if v6.is_unspecified() || v6.is_loopback() => Exposure::Loopback,
        other if other.is_loopback() => Exposure::Loopback,
        other if other.is_unspecified() => Exposure::All,
        _ => Exposure::Specific,
    }
}
