//! Reading the rules from the machine's real firewall: the output of
//! `iptables -S INPUT`.
//!
//! `iptables -S` prints rules the way you would type them:
//!
//! ```text
//! -P INPUT DROP
//! -A INPUT -i lo -j ACCEPT
//! -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
//! -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT
//! -A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 8081 -j ACCEPT
//! -A INPUT -p tcp -m tcp --dport 8081 -j DROP
//! ```
//!
//! Only the rules that decide a *new connection from another machine to a
//! port* become [`Rule`]s; the kernel tries them in the same order, first
//! match wins, as [`crate::firewall::evaluate`] does. Rules for the loopback
//! interface, for connections already established, or with matches this
//! crate does not model are left out, and each is reported in a note, so
//! the report never claims more than it understood.

use crate::firewall::{Action, Rule, Rules};
use crate::socket::Proto;

/// The rules, plus one note per line that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    pub rules: Rules,
    pub notes: Vec<String>,
}

/// Reads the `INPUT` chain from `iptables -S` output.
pub fn import(text: &str) -> Result<Imported, String> {
    let mut default = Action::Allow; // iptables' own default policy: ACCEPT
    let mut rules = Vec::new();
    let mut notes = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["-P", "INPUT", policy] => {
                default = target(policy)
                    .ok_or_else(|| format!("line {}: unknown policy {policy:?}", number + 1))?;
            }
            ["-A", "INPUT", options @ ..] => match rule(options) {
                Ok(rule) => rules.push(rule),
                Err(why) => notes.push(format!("left out `{line}`: {why}")),
            },
            _ => {}
        }
    }
    Ok(Imported {
        rules: Rules { default, rules },
        notes,
    })
}

fn target(word: &str) -> Option<Action> {
    match word {
        "ACCEPT" => Some(Action::Allow),
        "DROP" | "REJECT" => Some(Action::Deny),
        _ => None,
    }
}

fn rule(options: &[&str]) -> Result<Rule, String> {
    let (mut action, mut from, mut port, mut proto) = (None, None, None, None);
    let mut words = options.iter();
    while let Some(option) = words.next() {
        let mut value = || words.next().copied().ok_or("an option without a value");
        match *option {
            "-s" => from = Some(value()?.parse()?),
            "-p" => {
                proto = Some(match value()? {
                    "tcp" => Proto::Tcp,
                    "udp" => Proto::Udp,
                    other => return Err(format!("protocol {other:?} is not modelled")),
                })
            }
            "-m" => {
                let module = value()?;
                if module != "tcp" && module != "udp" {
                    return Err(format!("the match `-m {module}` is not modelled"));
                }
            }
            "--dport" => {
                port = Some(
                    value()?
                        .parse::<u16>()
                        .map_err(|_| "a port range is not modelled".to_string())?,
                )
            }
            "-i" => return Err("an interface rule (usually loopback)".to_string()),
            "-j" => {
                let chain = value()?;
                action = Some(
                    target(chain).ok_or_else(|| format!("jumps to chain {chain}, not followed"))?,
                );
            }
            other => return Err(format!("the option {other} is not modelled")),
        }
    }
    Ok(Rule {
        action: action.ok_or("no -j target")?,
        from,
        port: port.ok_or("no --dport: applies to every port, not modelled")?,
        proto,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_input_chain() {
        let imported = import(
            "-P INPUT DROP\n-P FORWARD DROP\n-A INPUT -i lo -j ACCEPT\n\
             -A INPUT -p tcp -m tcp --dport 22 -j ACCEPT\n\
             -A INPUT -s 192.0.2.0/24 -p tcp -m tcp --dport 8081 -j ACCEPT\n\
             -A INPUT -p tcp -m tcp --dport 8081 -j DROP\n",
        )
        .unwrap();
        assert_eq!(imported.rules.default, Action::Deny);
        assert_eq!(imported.rules.rules.len(), 3);
        assert_eq!(
            imported.rules.rules[1].from,
            Some("192.0.2.0/24".parse().unwrap())
        );
        assert_eq!(imported.notes.len(), 1, "{:?}", imported.notes);
    }
}
