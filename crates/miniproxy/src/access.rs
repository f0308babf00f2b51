//! Who may use a site or a route, by the client's address: nginx's
//! `allow` and `deny` directives.
//!
//! ```toml
//! access = ["allow 192.0.2.0/24", "allow 127.0.0.1", "deny all"]
//! ```
//!
//! The rule every packet filter shares (chapter 5, and `portaudit`'s
//! firewall rules, which use the same [`cidr::Cidr`]): **rules are tried in
//! order, and the first that matches decides**. When none matches the
//! request is allowed, as in nginx, so an empty list allows everyone; end a
//! list with `deny all` to allow only what it names.
//!
//! The address is the TCP peer's, never `X-Forwarded-For`: a header is
//! whatever the client wrote, so trusting it would let anyone claim to be
//! 127.0.0.1.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;

pub use cidr::Cidr;

/// An ordered list of `allow`/`deny` rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessRules(pub Vec<AccessRule>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessRule {
    pub allow: bool,
    /// `None` is `all`: every address, IPv4 and IPv6.
    pub from: Option<Cidr>,
}

/// Why a request was refused: the deciding rule, counted from 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denied {
    pub rule: usize,
    pub text: String,
}

impl AccessRules {
    /// `Ok` when `client` may pass, else the rule that refused it.
    pub fn check(&self, client: IpAddr) -> Result<(), Denied> {
        for (index, rule) in self.0.iter().enumerate() {
            if rule.from.is_none_or(|range| range.contains(client)) {
                return match rule.allow {
                    true => Ok(()),
                    false => Err(Denied {
                        rule: index + 1,
                        text: rule.to_string(),
                    }),
                };
            }
        }
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `allow 192.0.2.0/24`, `deny 2001:db8::/32`, `allow 127.0.0.1`, `deny all`.
impl FromStr for AccessRule {
    type Err = String;

    fn from_str(text: &str) -> Result<AccessRule, String> {
        let (verb, who) = text
            .trim()
            .split_once(char::is_whitespace)
            .ok_or_else(|| format!("`{text}`: a rule is `allow ADDRESS` or `deny ADDRESS`"))?;
        let allow = match verb {
            "allow" => true,
            "deny" => false,
            _ => return Err(format!("`{text}`: a rule starts with `allow` or `deny`")),
        };
        let from = match who.trim() {
            "all" => None,
            range => Some(
                range
                    .parse::<Cidr>()
                    .map_err(|e| format!("`{text}`: {e}"))?,
            ),
        };
        Ok(AccessRule { allow, from })
    }
}

impl fmt::Display for AccessRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = if self.allow { "allow" } else { "deny" };
        match &self.from {
            None => write!(f, "{verb} all"),
            Some(range) => write!(f, "{verb} {range}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(lines: &[&str]) -> AccessRules {
        AccessRules(lines.iter().map(|l| l.parse().unwrap()).collect())
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn the_first_matching_rule_decides() {
        let office = rules(&["allow 192.0.2.0/24", "allow 127.0.0.1", "deny all"]);
        assert_eq!(office.check(ip("192.0.2.9")), Ok(()));
        assert_eq!(office.check(ip("127.0.0.1")), Ok(()));
        let denied = office.check(ip("203.0.113.5")).unwrap_err();
        assert_eq!((denied.rule, denied.text.as_str()), (3, "deny all"));
        // A deny after an allow for the same address never fires.
        let shadowed = rules(&["allow all", "deny 203.0.113.0/24"]);
        assert_eq!(shadowed.check(ip("203.0.113.5")), Ok(()));
    }

    #[test]
    fn no_rule_or_no_match_allows() {
        assert_eq!(AccessRules::default().check(ip("203.0.113.5")), Ok(()));
        assert_eq!(rules(&["deny 10.0.0.0/8"]).check(ip("203.0.113.5")), Ok(()));
    }

    #[test]
    fn bad_rules_say_why() {
        assert!("permit 1.2.3.4"
            .parse::<AccessRule>()
            .unwrap_err()
            .contains("allow"));
        assert!("allow everyone".parse::<AccessRule>().is_err());
        assert!("deny".parse::<AccessRule>().is_err());
    }
}
