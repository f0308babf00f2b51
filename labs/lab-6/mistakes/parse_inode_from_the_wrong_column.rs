// Mistake: counts the columns wrong and takes column 8 (the timeout,
// always 0 for a listener) as the inode. Nothing could be tied to its
// processes.

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
            for (i, chunk) in octets.chunks_exact_mut(4).enumerate() {
                let word = u32::from_str_radix(&address[i * 8..i * 8 + 8], 16)
                    .map_err(|_| bad("address"))?;
                chunk.copy_from_slice(&word.to_le_bytes());
            }
            IpAddr::V6(Ipv6Addr::from(octets))
        }
        _ => return Err(bad("address length")),
    };
    let state = u8::from_str_radix(fields[3], 16).map_err(|_| bad("state"))?;
    let inode = fields[8].parse().map_err(|_| bad("inode"))?;
    Ok(Entry {
        local: SocketAddr::new(ip, port),
        state,
        inode,
    })
}
