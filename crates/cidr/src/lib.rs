//! An address range such as `192.0.2.0/24` or `2001:db8::/32`, and whether
//! an address is inside it.
//!
//! Two tools here decide things by the sender's address with the same rule
//! (rules in order, the first that matches decides): portaudit judging a
//! firewall's rules, and miniproxy's `allow`/`deny` per site and route, as
//! nginx's `allow`/`deny` directives do. This is the piece they share.

use std::net::IpAddr;

/// An address range such as `192.0.2.0/24` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Cidr {
    pub network: IpAddr,
    pub prefix: u8,
}

impl Cidr {
    /// Whether `address` is inside the range. An IPv4 range never contains
    /// an IPv6 address, except an IPv4 one written as `::ffff:a.b.c.d`.
    pub fn contains(&self, address: IpAddr) -> bool {
        let address = match address {
            IpAddr::V6(v6) if self.network.is_ipv4() => match v6.to_ipv4_mapped() {
                Some(v4) => IpAddr::V4(v4),
                None => return false,
            },
            other => other,
        };
        match (self.network, address) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Cidr, String> {
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an address or CIDR range"))?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{text:?}: the prefix length must be 0 to {max}"))?,
        };
        Ok(Cidr { network, prefix })
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.network, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(range: &str, address: &str) -> bool {
        range
            .parse::<Cidr>()
            .unwrap()
            .contains(address.parse().unwrap())
    }

    #[test]
    fn ranges_of_both_families() {
        assert!(contains("192.0.2.0/24", "192.0.2.77"));
        assert!(!contains("192.0.2.0/24", "192.0.3.1"));
        assert!(contains("0.0.0.0/0", "203.0.113.9"));
        assert!(contains("2001:db8::/32", "2001:db8:1::5"));
        assert!(!contains("2001:db8::/32", "2001:db9::5"));
        // An IPv4 client seen through an IPv6 socket.
        assert!(contains("192.0.2.0/24", "::ffff:192.0.2.9"));
        assert!(!contains("0.0.0.0/0", "2001:db8::1"));
        assert!(contains("127.0.0.1", "127.0.0.1"));
    }

    #[test]
    fn bad_ranges_say_why() {
        assert!("192.0.2.0/33"
            .parse::<Cidr>()
            .unwrap_err()
            .contains("0 to 32"));
        assert!("example.com".parse::<Cidr>().is_err());
    }
}
