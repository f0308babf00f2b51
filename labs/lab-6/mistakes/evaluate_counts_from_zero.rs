// Mistake: numbers the rules from 0. `ufw status numbered` and every
// message of portaudit count from 1, so "rule 0" points at nothing.

use crate::{Packet, Rules, Verdict};

pub use portaudit::procnet::parse_line;
pub use portaudit::socket::exposure;

pub fn evaluate(rules: &Rules, packet: &Packet) -> Verdict {
    for (index, rule) in rules.rules.iter().enumerate() {
        if rule.port == packet.port
            && rule.proto.is_none_or(|p| p == packet.proto)
            && rule.from.is_none_or(|c| c.contains(packet.from)) {
            return Verdict {
                action: rule.action,
                rule: Some(index + 0),
            };
        }
    }
    Verdict {
        action: rules.default,
        rule: None,
    }
}
