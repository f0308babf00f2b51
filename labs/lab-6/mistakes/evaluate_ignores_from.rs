// Mistake: ignores `from`, so a rule for one office network applies to
// the whole internet.

use crate::{Packet, Rules, Verdict};

pub use portaudit::procnet::parse_line;
pub use portaudit::socket::exposure;

pub fn evaluate(rules: &Rules, packet: &Packet) -> Verdict {
    for (index, rule) in rules.rules.iter().enumerate() {
        if rule.port == packet.port && rule.proto.is_none_or(|p| p == packet.proto) {
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
