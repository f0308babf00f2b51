// Mistake: reads the 32 hex digits of an IPv6 address as 16 bytes in the
// order they are written. Each 32-bit word was printed as a little-endian
// number, so every word comes out reversed: ::1 reads as ::100:0. Several
// published crates shipped exactly this bug.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{BadLine, Entry};

pub use portaudit::firewall::evaluate;
pub use portaudit::socket::exposure;

pub fn parse_line(line: &str) -> Result<Entry, BadLine> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 10 {
        return Err(BadLine(format!("too few columns: {line:?}")));
    }
    let bad = |why: &str| BadLine(why.to_string());
    let (address, port) = fields[1].split_once(':').ok_or_else(|| bad("no port"))?;
    let port = u16::from_str_radix(port, 16).map_err(|_| bad("port"))?;
    let ip = match address.len() {
        8 => {
            let value = u32::from_str_radix(address, 16).map_err(|_| bad("address"))?;
            IpAddr::V4(Ipv4Addr::from(value.to_le_bytes()))
        }
        32 => {
            let mut octets = [0u8; 16];
            for (i, octet) in octets.iter_mut().enumerate() {
                *octet = u8::from_str_radix(&address[i * 2..i * 2 + 2], 16)
                    .map_err(|_| bad("address"))?;
            }
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => return Err(bad("address length")),
    };
    let state = u8::from_str_radix(fields[3], 16).map_err(|_| bad("state"))?;
    let inode = fields[9].parse().map_err(|_| bad("inode"))?;
    Ok(Entry {
        local: SocketAddr::new(ip, port),
        state,
        inode,
    })
}
