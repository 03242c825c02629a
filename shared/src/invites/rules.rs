//! What an invite request may say (the routing link and the subject), and how many
//! invites a practice may send ([`InviteBudgets`]).

use crate::access::rate_limit::{self, Budget, RateError};
use crate::adapters::dynamo::StoreError;
use crate::ports::access::RateLimitStore;

/// An invite budget refused a send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SpendRefused {
    Limited { retry_after_secs: u64 },
    Store(StoreError),
}
use crate::access::send_budgets::{
    check_country_in, global_share, random_pick, CountryNotAllowed, SendBudgets, DAY_MS, HOUR_MS,
};
use crate::access::window::Limit;
use crate::domain::caller::Caller;
use crate::domain::contact_info::PhoneNumber;
use crate::domain::ids::{ContactId, LinkId, OrgId};
use crate::links::rules::InvalidField;

/// How many invites (new ones and resends alike: each sends SMS and/or email to an address
/// staff typed) a practice may send. Anyone can create a practice, so a practice is a
/// possible phishing and toll-fraud channel; these budgets bound what one can send.
///
/// | budget | default | why |
/// |---|---|---|
/// | per practice, hour | 30 | A front desk inviting patients as they call or check in sends a few an hour; 30 leaves room for a busy morning. |
/// | per practice, day | 150 | A practice moving its patient list over invites in batches across days (the deployment can raise it for an import). |
/// | practice younger than a day, hour | 5 | Enough to try the product and invite the first patients; too few to be worth a phishing run from a throwaway practice. |
/// | practice younger than a day, day | 15 | The same, over its first day. |
/// | per contact, day | 5 | An invite and its three resends in the first hour, and one more later: a patient gets at most five invite texts a day. |
/// | whole deployment, hour | 1,000 | The ceiling on what many throwaway practices together can send (each within its own budgets): a thousand SMS an hour is about $8 at US rates, far above what real practices send (a hundred practices inviting ten patients an hour). Separate from the code sends' and the download texts' ceilings, so an invite flood never stops sign-in codes. |
///
/// Invite SMS go only to numbers of the deployment's SMS countries (`SMS_ALLOWED_COUNTRIES`,
/// the list code sends use): any other is 400 `unsupported_country` before anything is
/// stored, spent or sent.
///
/// Configurable per deployment (`template.yaml` parameters → [`crate::config`]). A
/// refusal is 429 `rate_limited` with `Retry-After`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteBudgets {
    pub per_practice_hour: usize,
    pub per_practice_day: usize,
    pub new_practice_hour: usize,
    pub new_practice_day: usize,
    pub per_contact_day: usize,
    pub global_hour: usize,
    /// ISO 3166 codes of the countries invite SMS may go to.
    pub sms_countries: Vec<String>,
}

impl Default for InviteBudgets {
    fn default() -> Self {
        Self {
            per_practice_hour: 30,
            per_practice_day: 150,
            new_practice_hour: 5,
            new_practice_day: 15,
            per_contact_day: 5,
            global_hour: 1_000,
            sms_countries: SendBudgets::default().sms_countries,
        }
    }
}

impl InviteBudgets {
    /// Whether an invite may text `phone` (the deployment's SMS countries).
    pub fn check_country(&self, phone: &PhoneNumber) -> Result<(), CountryNotAllowed> {
        check_country_in(&self.sms_countries, phone)
    }

    /// Spends one invite (or resend) to `contact` by `org`, all budgets or none; the wait in
    /// seconds when one is used up.
    pub async fn spend(
        &self,
        store: &impl RateLimitStore,
        org: &OrgId,
        contact: &ContactId,
        now: i64,
    ) -> Result<(), SpendRefused> {
        match rate_limit::spend(store, &self.budgets(org, contact, now), now).await {
            Ok(()) => Ok(()),
            Err(RateError::Limited { retry_after_secs }) => {
                Err(SpendRefused::Limited { retry_after_secs })
            }
            Err(RateError::Store(e)) => Err(SpendRefused::Store(e)),
        }
    }

    /// The windows one invite (or resend) to `contact` by `org` spends at `now`. A practice
    /// is as old as its id (a ULID carries its creation time); while younger than a day it
    /// spends the same windows with the lower ceilings.
    pub fn budgets(&self, org: &OrgId, contact: &ContactId, now: i64) -> Vec<Budget> {
        let young = now - (org.timestamp_ms() as i64) < DAY_MS;
        let (hour, day) = if young {
            (self.new_practice_hour, self.new_practice_day)
        } else {
            (self.per_practice_hour, self.per_practice_day)
        };
        let (shards, share) = global_share(self.global_hour);
        let budget = |kind, subject: String, max, window_ms| Budget {
            kind,
            subject,
            limit: Limit::sliding(max, window_ms),
        };
        vec![
            budget("inv-org-h", org.to_string(), hour, HOUR_MS),
            budget("inv-org-d", org.to_string(), day, DAY_MS),
            budget(
                "inv-contact-d",
                contact.to_string(),
                self.per_contact_day,
                DAY_MS,
            ),
            // One shard of the deployment's ceiling, picked at random (as the code sends').
            budget(
                "inv-all",
                (random_pick() % shards as u64).to_string(),
                share,
                HOUR_MS,
            ),
        ]
    }
}

/// A link the caller does not see (another practice's, not open to them, or malformed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("no such link")]
pub struct UnknownLink;

/// `link_id` must be one of the links the caller sees (their practice's, open to them).
pub fn visible_link(caller: &Caller, raw: Option<&str>) -> Result<Option<LinkId>, UnknownLink> {
    raw.map(|raw| {
        raw.parse::<LinkId>()
            .ok()
            .filter(|l| caller.visible_links.contains(l))
            .ok_or(UnknownLink)
    })
    .transpose()
}

/// A subject: trimmed, blank is none, at most 200 characters without control characters.
pub fn subject(raw: Option<&str>) -> Result<Option<String>, InvalidField> {
    let Some(subject) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    if subject.chars().count() > 200 || subject.chars().any(char::is_control) {
        return Err(InvalidField::new(
            "subject",
            "at most 200 characters without control characters",
        ));
    }
    Ok(Some(subject.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_practice_younger_than_a_day_gets_the_lower_ceilings() {
        let budgets = InviteBudgets::default();
        let org = OrgId::generate();
        let contact = ContactId::generate();
        let born = org.timestamp_ms() as i64;
        let maxes = |now| -> Vec<(&str, usize)> {
            budgets
                .budgets(&org, &contact, now)
                .iter()
                .map(|b| (b.kind, b.limit.max))
                .collect()
        };
        let young = vec![
            ("inv-org-h", 5),
            ("inv-org-d", 15),
            ("inv-contact-d", 5),
            ("inv-all", 125),
        ];
        assert_eq!(maxes(born), young);
        assert_eq!(maxes(born + DAY_MS - 1), young);
        assert_eq!(
            maxes(born + DAY_MS),
            vec![
                ("inv-org-h", 30),
                ("inv-org-d", 150),
                ("inv-contact-d", 5),
                ("inv-all", 125)
            ]
        );
    }

    #[test]
    fn subjects_are_trimmed_and_bounded() {
        assert_eq!(subject(Some("  ")), Ok(None));
        assert_eq!(subject(Some(" Results ")), Ok(Some("Results".into())));
        assert!(subject(Some(&"x".repeat(201))).is_err());
        assert!(subject(Some("a\nb")).is_err());
    }
}
