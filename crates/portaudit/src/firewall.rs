//! A firewall rule set in the shape of `ufw`'s, and the one rule every
//! packet filter shares: **rules are tried in order, the first that matches
//! decides, and when none matches the default policy does.**
//!
//! The file format (one rule per line, `#` starts a comment):
//!
//! ```text
//! default deny                              # what happens when no rule matches
//! allow 22/tcp                              # ufw's short form: port[/proto]
//! allow from 192.0.2.0/24 to port 8081 proto tcp
//! deny to port 8082
//! ```
//!
//! The same rules can come from the machine's real `iptables -S` output
//! (see `iptables`). The order matters exactly as it does there: a `deny`
//! after an `allow` for the same port never fires.

use std::net::IpAddr;
use std::path::Path;

use serde::Serialize;

use crate::socket::Proto;

/// What a rule (or the default policy) does with a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Allow,
    Deny,
}

pub use cidr::Cidr;

/// One rule: `ACTION [from CIDR] to port N [proto P]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    pub action: Action,
    /// Whom the rule is about; `None` is anyone.
    pub from: Option<Cidr>,
    /// The destination port.
    pub port: u16,
    /// `None`: both TCP and UDP.
    pub proto: Option<Proto>,
}

/// A whole rule set: the rules in order, and the default policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rules {
    pub default: Action,
    pub rules: Vec<Rule>,
}

/// A new incoming connection (or UDP datagram), as the firewall sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Packet {
    pub from: IpAddr,
    pub port: u16,
    pub proto: Proto,
}

/// What the rule set decided, and which rule decided it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub action: Action,
    /// The deciding rule's number, counting from 1 as `ufw status
    /// numbered` does; `None` when the default policy decided.
    pub rule: Option<usize>,
}

// ANCHOR: evaluate
/// Decides what `rules` do with `packet`.
pub fn evaluate(rules: &Rules, packet: &Packet) -> Verdict {
    for (index, rule) in rules.rules.iter().enumerate() {
        let port = rule.port == packet.port;
        let proto = rule.proto.is_none_or(|proto| proto == packet.proto);
        let from = rule.from.is_none_or(|range| range.contains(packet.from));
        if port && proto && from {
            // The first rule that matches decides; later ones never see it.
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
// ANCHOR_END: evaluate

/// A rules file that could not be read, naming the line.
#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}:{line}: {message}")]
    Syntax {
        path: String,
        line: usize,
        message: String,
    },
}

impl Rules {
    /// Reads a rules file.
    pub fn load(path: &Path) -> Result<Rules, RulesError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Read {
            path: shown.clone(),
            source,
        })?;
        Rules::parse(&text, &shown)
    }

    /// Parses rules text; `origin` names it in errors (`rules.txt:3: …`).
    pub fn parse(text: &str, origin: &str) -> Result<Rules, RulesError> {
        let mut default = None;
        let mut rules = Vec::new();
        for (number, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let syntax = |message: String| RulesError::Syntax {
                path: origin.to_string(),
                line: number + 1,
                message,
            };
            let words: Vec<&str> = line.split_whitespace().collect();
            if words[0] == "default" {
                let action = match words[1..] {
                    [action] | [action, "incoming"] => parse_action(action),
                    _ => Err(format!("expected `default allow|deny`, found {line:?}")),
                }
                .map_err(syntax)?;
                if default.replace(action).is_some() {
                    return Err(syntax("a second `default` line".to_string()));
                }
            } else {
                rules.push(parse_rule(&words).map_err(syntax)?);
            }
        }
        Ok(Rules {
            // ufw's own default for incoming traffic.
            default: default.unwrap_or(Action::Deny),
            rules,
        })
    }
}

fn parse_action(word: &str) -> Result<Action, String> {
    match word {
        "allow" => Ok(Action::Allow),
        "deny" | "reject" => Ok(Action::Deny),
        other => Err(format!(
            "unknown action {other:?} (expected allow, deny or default)"
        )),
    }
}

fn parse_proto(word: &str) -> Result<Proto, String> {
    match word {
        "tcp" => Ok(Proto::Tcp),
        "udp" => Ok(Proto::Udp),
        other => Err(format!("unknown protocol {other:?} (expected tcp or udp)")),
    }
}

fn parse_port(word: &str) -> Result<u16, String> {
    word.parse::<u16>()
        .ok()
        .filter(|port| *port != 0)
        .ok_or_else(|| format!("{word:?} is not a port (1 to 65535)"))
}

/// `allow 22/tcp` or `allow [from CIDR|any] to [any] port N [proto P]`.
fn parse_rule(words: &[&str]) -> Result<Rule, String> {
    let action = parse_action(words[0])?;
    let mut rule = Rule {
        action,
        from: None,
        port: 0,
        proto: None,
    };
    if let [_, short] = words {
        let (port, proto) = match short.split_once('/') {
            Some((port, proto)) => (port, Some(parse_proto(proto)?)),
            None => (*short, None),
        };
        rule.port = parse_port(port)?;
        rule.proto = proto;
        return Ok(rule);
    }
    let mut rest = words[1..].iter();
    while let Some(word) = rest.next() {
        let mut value = |what: &str| {
            rest.next()
                .copied()
                .ok_or_else(|| format!("`{what}` needs a value"))
        };
        match *word {
            "from" => {
                let range = value("from")?;
                rule.from = if range == "any" {
                    None
                } else {
                    Some(range.parse()?)
                };
            }
            // `to any port 22` reads well and means the same as `to port 22`.
            "to" | "any" => {}
            "port" => rule.port = parse_port(value("port")?)?,
            "proto" => rule.proto = Some(parse_proto(value("proto")?)?),
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    if rule.port == 0 {
        return Err("a rule needs a port (`to port N`)".to_string());
    }
    Ok(rule)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn packet(from: &str, port: u16, proto: Proto) -> Packet {
        Packet {
            from: from.parse().unwrap(),
            port,
            proto,
        }
    }

    #[test]
    fn parses_both_forms() {
        let rules = Rules::parse(
            "default deny\nallow 22/tcp\nallow from 192.0.2.0/24 to any port 8081 proto tcp # office\ndeny 8082\n",
            "r",
        )
        .unwrap();
        assert_eq!(rules.rules.len(), 3);
        assert_eq!(rules.rules[0].proto, Some(Proto::Tcp));
        assert_eq!(rules.rules[1].from, Some("192.0.2.0/24".parse().unwrap()));
        assert_eq!(rules.rules[2].proto, None);
    }

    #[test]
    fn errors_name_the_line() {
        let error = Rules::parse("default deny\n\nalow 22\n", "rules.txt").unwrap_err();
        assert_eq!(
            error.to_string(),
            "rules.txt:3: unknown action \"alow\" (expected allow, deny or default)"
        );
        let error = Rules::parse("allow from 192.0.2.0/33 to port 1\n", "r").unwrap_err();
        assert!(error.to_string().starts_with("r:1: "), "{error}");
        assert!(Rules::parse("allow from\n", "r").is_err());
        assert!(Rules::parse("allow 70000\n", "r").is_err());
    }

    #[test]
    fn first_match_wins() {
        let rules = Rules::parse("default allow\nallow 8081\ndeny 8081\n", "r").unwrap();
        let verdict = evaluate(&rules, &packet("203.0.113.7", 8081, Proto::Tcp));
        assert_eq!(verdict.rule, Some(1));
    }

    #[test]
    fn cidr_contains() {
        let range: Cidr = "192.0.2.0/24".parse().unwrap();
        assert!(range.contains("192.0.2.200".parse().unwrap()));
        assert!(range.contains("::ffff:192.0.2.1".parse().unwrap()));
        assert!(!range.contains("192.0.3.1".parse().unwrap()));
        assert!(!range.contains("2001:db8::1".parse().unwrap()));
        let all: Cidr = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("198.51.100.1".parse().unwrap()));
    }
}
