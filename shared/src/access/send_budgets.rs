//! Budgets for codes sent to a destination a stranger chose (`POST /v1/signup/start`,
//! `POST /v1/auth/start`, `POST /v1/orgs`): SMS pumping must cost the attacker more than it
//! costs the practice (SECURITY.md, "Throttling and failure").
//!
//! Every start spends, besides the destination's own budget (5 sends per 10 minutes,
//! [`super::start_code::SEND_LIMIT`]), one hit of each of these sliding windows, all or none,
//! in the challenge's own transaction (so no extra round trip; see [`super::start_code`]):
//!
//! | budget | default | why this number |
//! |---|---|---|
//! | per client address, hour | 40 | A front desk where patients sign up on the clinic's Wi-Fi (one NAT address) sees at most one check-in every two or three minutes at its busiest, ~20 signups an hour, each with a resend: 40. Mobile carriers' NAT also puts many strangers behind one address, so it cannot be lower. |
//! | per client address, day | 300 | A ten-hour clinic day at that pace, plus staff sign-ins; one address cannot pump more than 300 codes a day. |
//! | per link code, hour | 100 | A link printed in a waiting room or mailed to a practice's patients: 100 signups in an hour is a campaign's peak. |
//! | per link code, day | 1,000 | Bounds what one published code can cost in a day, whatever the addresses. |
//! | global SMS, hour | 2,000 | The deployment's ceiling: about $16 an hour at US rates, so a distributed attack is capped long before the account's monthly spend limit trips and stops every code and invite for everyone. |
//! | global email, hour | 2,000 | The same for emailed codes (practice signup, staff sign-in), kept separate so an email flood cannot stop SMS codes and the reverse. |
//!
//! Each is configurable per deployment (`template.yaml` parameters → [`crate::config`]).
//! A refusal is 429 `rate_limited` with `Retry-After` (the earliest moment every exhausted
//! window has room again).
//!
//! The global windows are spread over up to [`GLOBAL_SHARDS`] items (a start picks one at
//! random and each holds its share of the ceiling), so concurrent starts rarely race for one
//! item and no item holds more than a few hundred timestamps.
//!
//! SMS go only to numbers of the allowed countries (`SMS_ALLOWED_COUNTRIES`, ISO 3166
//! codes; default `US`, the deployment's own), decided by the phone parser's country of
//! the number ([`crate::domain::contact_info::PhoneNumber::country`]); anything else is a
//! 400 `unsupported_country` before anything is stored or spent.

use super::codes::{Channel, Destination};
use super::rate_limit::Budget;
use super::window::Limit;
use crate::domain::contact_info::PhoneNumber;

pub const HOUR_MS: i64 = 60 * 60 * 1000;
pub const DAY_MS: i64 = 24 * HOUR_MS;
/// At most this many items share a global window.
pub const GLOBAL_SHARDS: usize = 8;
/// A shard holds at least this many hits of its share (small ceilings are not split).
const MIN_PER_SHARD: usize = 64;

/// The configured budgets of public code sends (see the module docs for the defaults).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendBudgets {
    pub per_address_hour: usize,
    pub per_address_day: usize,
    pub per_link_hour: usize,
    pub per_link_day: usize,
    pub global_sms_hour: usize,
    pub global_email_hour: usize,
    /// ISO 3166 alpha-2 codes, upper case.
    pub sms_countries: Vec<String>,
}

impl Default for SendBudgets {
    fn default() -> Self {
        Self {
            per_address_hour: 40,
            per_address_day: 300,
            per_link_hour: 100,
            per_link_day: 1_000,
            global_sms_hour: 2_000,
            global_email_hour: 2_000,
            sms_countries: vec!["US".into()],
        }
    }
}

/// Where a public start comes from.
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    /// The client address API Gateway saw (`requestContext.http.sourceIp`); never a header.
    pub address: Option<&'a str>,
    /// The practice link the signup came through.
    pub link_code: Option<&'a str>,
}

/// A number outside the allowed countries.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("texts go only to numbers in {}", .allowed.join(", "))]
pub struct CountryNotAllowed {
    pub allowed: Vec<String>,
}

impl SendBudgets {
    /// Whether SMS may go to `phone`.
    pub fn check_country(&self, phone: &PhoneNumber) -> Result<(), CountryNotAllowed> {
        check_country_in(&self.sms_countries, phone)
    }

    /// The windows one start to `destinations` from `origin` spends; `pick` chooses the
    /// global shard (any number; taken modulo the shard count).
    pub fn budgets(
        &self,
        origin: Origin<'_>,
        destinations: &[Destination],
        pick: u64,
    ) -> Vec<Budget> {
        let mut budgets = Vec::with_capacity(6);
        let mut add = |kind: &'static str, subject: &str, max: usize, window_ms: i64| {
            budgets.push(Budget {
                kind,
                subject: subject.to_string(),
                limit: Limit::sliding(max, window_ms),
            })
        };
        if let Some(address) = origin.address.filter(|a| !a.is_empty()) {
            add("code-ip-h", address, self.per_address_hour, HOUR_MS);
            add("code-ip-d", address, self.per_address_day, DAY_MS);
        }
        if let Some(code) = origin.link_code {
            add("code-link-h", code, self.per_link_hour, HOUR_MS);
            add("code-link-d", code, self.per_link_day, DAY_MS);
        }
        for (channel, kind, ceiling) in [
            (Channel::Sms, "code-all-sms", self.global_sms_hour),
            (Channel::Email, "code-all-email", self.global_email_hour),
        ] {
            if destinations.iter().any(|d| d.kind() == channel) {
                let (shards, share) = global_share(ceiling);
                let shard = (pick % shards as u64).to_string();
                add(kind, &shard, share, HOUR_MS);
            }
        }
        budgets
    }
}

/// Whether SMS may go to `phone` under the allow-list `allowed` (ISO 3166 codes); shared
/// by code sends, download texts and invites.
pub fn check_country_in(allowed: &[String], phone: &PhoneNumber) -> Result<(), CountryNotAllowed> {
    match phone.country() {
        Some(c) if allowed.iter().any(|a| a.eq_ignore_ascii_case(&c)) => Ok(()),
        _ => Err(CountryNotAllowed {
            allowed: allowed.to_vec(),
        }),
    }
}

/// How a global ceiling is spread: (items, hits each). The shares never add up to more
/// than the ceiling, and a small ceiling stays on one item (exact).
pub fn global_share(ceiling: usize) -> (usize, usize) {
    let shards = (ceiling / MIN_PER_SHARD).clamp(1, GLOBAL_SHARDS);
    (shards, (ceiling / shards).max(1))
}

/// A random shard pick.
pub fn random_pick() -> u64 {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_or(0, |_| u64::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::contact_info::EmailAddress;

    fn phone(text: &str) -> PhoneNumber {
        PhoneNumber::parse(text).unwrap()
    }

    #[test]
    fn a_global_ceiling_is_split_without_exceeding_it() {
        assert_eq!(global_share(3), (1, 3));
        assert_eq!(global_share(100), (1, 100));
        assert_eq!(global_share(2_000), (8, 250));
        assert_eq!(global_share(130), (2, 65));
        for ceiling in 1..5_000 {
            let (shards, share) = global_share(ceiling);
            assert!(shards * share <= ceiling, "{ceiling}");
            assert!((1..=GLOBAL_SHARDS).contains(&shards));
        }
    }

    #[test]
    fn a_signup_spends_address_link_and_the_sms_ceiling() {
        let budgets = SendBudgets::default();
        let origin = Origin {
            address: Some("198.51.100.7"),
            link_code: Some("123456"),
        };
        let sms = [Destination::Sms(phone("+12025550143"))];
        let spent = budgets.budgets(origin, &sms, 11);
        let kinds: Vec<(&str, &str, usize)> = spent
            .iter()
            .map(|b| (b.kind, b.subject.as_str(), b.limit.max))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("code-ip-h", "198.51.100.7", 40),
                ("code-ip-d", "198.51.100.7", 300),
                ("code-link-h", "123456", 100),
                ("code-link-d", "123456", 1_000),
                ("code-all-sms", "3", 250),
            ]
        );
        let email = [Destination::Email(
            EmailAddress::parse("a@example.com").unwrap(),
        )];
        let spent = budgets.budgets(Origin::default(), &email, 0);
        assert_eq!(spent.len(), 1);
        assert_eq!(spent[0].kind, "code-all-email");
    }

    #[test]
    fn only_numbers_of_the_allowed_countries_get_texts() {
        let us = SendBudgets::default();
        assert!(us.check_country(&phone("+12025550143")).is_ok());
        // Jamaica shares +1 with the US but is another country (a classic pumping target).
        assert!(us.check_country(&phone("+18765550143")).is_err());
        let uk = phone("+44 20 7946 0958");
        assert_eq!(
            us.check_country(&uk).unwrap_err().to_string(),
            "texts go only to numbers in US"
        );
        let both = SendBudgets {
            sms_countries: vec!["US".into(), "GB".into()],
            ..SendBudgets::default()
        };
        assert!(both.check_country(&uk).is_ok());
    }
}
