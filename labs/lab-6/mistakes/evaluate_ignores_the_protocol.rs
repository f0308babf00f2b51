// Mistake: ignores the protocol, so `allow 53/udp` also opens TCP port 53.

use crate::{Packet, Rules, Verdict};

pub use portaudit::procnet::parse_line;
pub use portaudit::socket::exposure;

pub fn evaluate(rules: &Rules, packet: &Packet) -> Verdict {
    for (index, rule) in rules.rules.iter().enumerate() {
        if rule.port == packet.port && rule.from.is_none_or(|c| c.contains(packet.from)) {
            return Verdict {
                action: rule.action,
                rule: Some(index + 1),
            };
        }
    }
    Verdict {
        action: rules.default,
        rule: None,
    }
}
