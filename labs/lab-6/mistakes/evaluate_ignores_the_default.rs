// Mistake: lets through whatever no rule mentions, ignoring the default
// policy. With `default deny` that is exactly the traffic meant to stop.

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
                rule: Some(index + 1),
            };
        }
    }
    Verdict {
        action: crate::Action::Allow,
        rule: None,
    }
}
