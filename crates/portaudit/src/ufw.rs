//! Reading the rules from the output of `ufw status verbose`, the way most
//! Ubuntu servers are firewalled.
//!
//! ```text
//! Status: active
//! Logging: on (low)
//! Default: deny (incoming), allow (outgoing), disabled (routed)
//! New profiles: skip
//!
//! To                         Action      From
//! --                         ------      ----
//! 22/tcp                     ALLOW IN    Anywhere
//! 8081                       ALLOW IN    192.0.2.0/24
//! 8081                       DENY IN     Anywhere
//! 22/tcp (v6)                ALLOW IN    Anywhere (v6)
//! ```
//!
//! ufw keeps IPv4 and IPv6 rules apart: a plain row is about IPv4 sources
//! only, a `(v6)` row about IPv6 ones, so "Anywhere" becomes `0.0.0.0/0` or
//! `::/0` here rather than "anyone". Rows are tried in the order printed,
//! first match wins, exactly as `crate::firewall::evaluate` does. What this
//! crate does not model (port ranges, application profiles such as
//! `OpenSSH`, outgoing rows) is left out with a note, never guessed.

use crate::firewall::{Action, Cidr, Rule, Rules};
use crate::iptables::Imported;
use crate::socket::Proto;

/// Reads `ufw status` or `ufw status verbose` output.
pub fn import(text: &str) -> Result<Imported, String> {
    let mut notes = Vec::new();
    let mut rules = Vec::new();
    let mut default = None;
    let mut in_table = false;
    for (number, line) in text.lines().enumerate() {
        let line = line.trim_end();
        if let Some(status) = line.strip_prefix("Status:") {
            if status.trim() == "inactive" {
                // An inactive ufw filters nothing: every port is as open as
                // its bind address makes it.
                notes.push("ufw is inactive: it filters nothing".to_string());
                return Ok(Imported {
                    rules: Rules {
                        default: Action::Allow,
                        rules: Vec::new(),
                    },
                    notes,
                });
            }
            continue;
        }
        if let Some(policies) = line.strip_prefix("Default:") {
            default = incoming_policy(policies);
            if default.is_none() {
                return Err(format!(
                    "line {}: no incoming policy in {line:?}",
                    number + 1
                ));
            }
            continue;
        }
        if line.starts_with("--") {
            in_table = true;
            continue;
        }
        if !in_table || line.trim().is_empty() {
            continue;
        }
        match row(line) {
            Ok(mut parsed) => rules.append(&mut parsed),
            Err(why) => notes.push(format!("left out `{}`: {why}", line.trim())),
        }
    }
    let default = default.unwrap_or_else(|| {
        // Plain `ufw status` does not print it; ufw's own default is deny.
        notes.push(
            "no `Default:` line (use `ufw status verbose`): assuming ufw's default, deny incoming"
                .to_string(),
        );
        Action::Deny
    });
    Ok(Imported {
        rules: Rules { default, rules },
        notes,
    })
}

/// `deny (incoming), allow (outgoing), …` → the incoming one.
fn incoming_policy(policies: &str) -> Option<Action> {
    policies.split(',').find_map(|policy| {
        let policy = policy.trim();
        let action = policy.strip_suffix("(incoming)")?.trim();
        match action {
            "allow" => Some(Action::Allow),
            "deny" | "reject" => Some(Action::Deny),
            _ => None,
        }
    })
}

/// One table row: `TO  ACTION [IN|OUT]  FROM`, with an optional `(v6)` on
/// both sides. A port list (`80,443/tcp`) becomes one rule per port.
fn row(line: &str) -> Result<Vec<Rule>, String> {
    let v6 = line.contains("(v6)");
    let line = line.replace("(v6)", " ");
    let words: Vec<&str> = line.split_whitespace().collect();
    let action_at = words
        .iter()
        .position(|w| matches!(*w, "ALLOW" | "DENY" | "REJECT" | "LIMIT"))
        .ok_or("no ALLOW, DENY, REJECT or LIMIT")?;
    let (to, rest) = words.split_at(action_at);
    let (action, rest) = match rest {
        [action, "IN", rest @ ..] => (*action, rest),
        [_, "OUT", ..] | [_, "FWD", ..] => return Err("not about incoming connections".into()),
        [action, rest @ ..] => (*action, rest),
        [] => unreachable!("the action was found"),
    };
    let action = match action {
        "ALLOW" | "LIMIT" => Action::Allow, // LIMIT allows, with a rate limit
        _ => Action::Deny,
    };
    let from = match rest {
        ["Anywhere"] if v6 => "::/0".parse::<Cidr>()?,
        ["Anywhere"] => "0.0.0.0/0".parse::<Cidr>()?,
        [range] => range.parse::<Cidr>()?,
        _ => return Err("a source this crate does not model".into()),
    };
    let [to] = to else {
        return Err("a destination with an address or a profile name".into());
    };
    let (ports, proto) = match to.split_once('/') {
        Some((ports, "tcp")) => (ports, Some(Proto::Tcp)),
        Some((ports, "udp")) => (ports, Some(Proto::Udp)),
        Some((_, other)) => return Err(format!("protocol {other:?} is not modelled")),
        None => (*to, None),
    };
    ports
        .split(',')
        .map(|port| {
            let port = port.parse::<u16>().map_err(|_| {
                format!("{port:?} is not one port (ranges and profiles are not modelled)")
            })?;
            Ok(Rule {
                action,
                from: Some(from),
                port,
                proto,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::firewall::{evaluate, Packet};

    /// What `ufw status verbose` prints on Ubuntu after `ufw default deny
    /// incoming`, `ufw allow 22/tcp`, `ufw allow from 192.0.2.0/24 to any
    /// port 8081`, `ufw deny 8081`, `ufw allow 80,443/tcp`, `ufw limit
    /// 2222/tcp` and `ufw allow 6000:6007/tcp`.
    const VERBOSE: &str = "\
Status: active
Logging: on (low)
Default: deny (incoming), allow (outgoing), disabled (routed)
New profiles: skip

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW IN    Anywhere
8081                       ALLOW IN    192.0.2.0/24
8081                       DENY IN     Anywhere
80,443/tcp                 ALLOW IN    Anywhere
2222/tcp                   LIMIT IN    Anywhere
6000:6007/tcp              ALLOW IN    Anywhere
22/tcp (v6)                ALLOW IN    Anywhere (v6)
8081 (v6)                  DENY IN     Anywhere (v6)
";

    fn verdict(rules: &Rules, from: &str, port: u16) -> (Action, Option<usize>) {
        let packet = Packet {
            from: from.parse().unwrap(),
            port,
            proto: Proto::Tcp,
        };
        let verdict = evaluate(rules, &packet);
        (verdict.action, verdict.rule)
    }

    #[test]
    fn reads_the_default_and_every_row_in_order() {
        let imported = import(VERBOSE).unwrap();
        let rules = &imported.rules;
        assert_eq!(rules.default, Action::Deny);
        // 22, 8081, 8081, 80, 443, 2222, then the two (v6) rows.
        assert_eq!(rules.rules.len(), 8);
        assert_eq!(imported.notes.len(), 1, "{:?}", imported.notes);
        assert!(imported.notes[0].contains("6000:6007/tcp"));

        assert_eq!(verdict(rules, "203.0.113.9", 22), (Action::Allow, Some(1)));
        assert_eq!(verdict(rules, "192.0.2.7", 8081), (Action::Allow, Some(2)));
        assert_eq!(verdict(rules, "203.0.113.9", 8081), (Action::Deny, Some(3)));
        assert_eq!(verdict(rules, "203.0.113.9", 443), (Action::Allow, Some(5)));
        assert_eq!(verdict(rules, "203.0.113.9", 3306), (Action::Deny, None));
        // A (v6) row is about IPv6 sources, and a plain one is not.
        assert_eq!(verdict(rules, "2001:db8::9", 22), (Action::Allow, Some(7)));
        assert_eq!(verdict(rules, "2001:db8::9", 8081), (Action::Deny, Some(8)));
        assert_eq!(verdict(rules, "2001:db8::9", 443), (Action::Deny, None));
    }

    #[test]
    fn inactive_filters_nothing_and_plain_status_assumes_deny() {
        let inactive = import("Status: inactive\n").unwrap();
        assert_eq!(inactive.rules.default, Action::Allow);
        assert!(inactive.rules.rules.is_empty());

        let plain = import(
            "Status: active\n\nTo                         Action      From\n\
             --                         ------      ----\n\
             22/tcp                     ALLOW       Anywhere\n\
             OpenSSH                    ALLOW       Anywhere\n",
        )
        .unwrap();
        assert_eq!(plain.rules.default, Action::Deny);
        assert_eq!(plain.rules.rules.len(), 1);
        assert_eq!(plain.notes.len(), 2, "{:?}", plain.notes);
    }
}
