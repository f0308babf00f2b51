// Mistake: trusts the input and unwraps. Good lines parse, but the header
// line or a damaged line panics instead of returning Err: one bad line
// would crash the whole audit.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

use crate::{BadLine, Entry};

pub use portaudit::firewall::evaluate;
pub use portaudit::socket::exposure;

pub fn parse_line(line: &str) -> Result<Entry, BadLine> {
    let fields: Vec<&str> = line.split_whitespace().collect();
    let (address, port) = fields[1].split_once(':').unwrap();
    let port = u16::from_str_radix(port, 16).unwrap();
    let ip = if address.len() == 8 {
        IpAddr::V4(Ipv4Addr::from(
            u32::from_str_radix(address, 16).unwrap().to_le_bytes(),
        ))
    } else {
        let mut octets = [0u8; 16];
        for (i, chunk) in octets.chunks_exact_mut(4).enumerate() {
            let word = u32::from_str_radix(&address[i * 8..i * 8 + 8], 16).unwrap();
            chunk.copy_from_slice(&word.to_le_bytes());
        }
        IpAddr::V6(Ipv6Addr::from(octets))
    };
    Ok(Entry {
        local: SocketAddr::new(ip, port),
        state: u8::from_str_radix(fields[3], 16).unwrap(),
        inode: fields[9].parse().unwrap(),
    })
}
