// Mistake: lets the *last* matching rule decide, as if later rules
// overrode earlier ones. Packet filters stop at the first match: a `deny`
// after an `allow` for the same port never fires.

use crate::{Packet, Rules, Verdict};

pub use portaudit::procnet::parse_line;
pub use portaudit::socket::exposure;

pub fn evaluate(rules: &Rules, packet: &Packet) -> Verdict {
    let mut verdict = Verdict {
        action: rules.default,
        rule: None,
    };
    for (index, rule) in rules.rules.iter().enumerate() {
        if rule.port == packet.port
            && rule.proto.is_none_or(|p| p == packet.proto)
            && rule.from.is_none_or(|c| c.contains(packet.from))
        {
            verdict = Verdict {
                action: rule.action,
                rule: Some(index + 1),
            };
        }
    }
    verdict
}
