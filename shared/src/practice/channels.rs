//! A practice's own channels for standard conversations: its SMS number and its reply
//! address, given when its signup completes (`super::sign_up`).
//!
//! - The number comes from the pool of origination numbers the deployment owns (free
//!   `CHANNEL#sms#…` items; README "Deploying" says how to load them). The signup's one
//!   transaction takes it out of the pool under the condition that it is still free, so a
//!   number never goes to two practices.
//! - The reply address is made from the practice's name and id on the reply domain
//!   (`maple-clinic-3k9q@reply.canopy.care`), claimed in the same transaction.
//!
//! **Pool exhausted.** Signing up never fails for want of a number: the practice is
//! created without one (`GET /v1/org` shows `sms_number: null`; email works as usual).
//! Starting a standard SMS conversation then first tries to take a number again (numbers
//! loaded since are used at once: `adapters::dynamo::channel_pool::assign_sms_number`),
//! else answers 409 `no_sms_number`, so staff are told plainly instead of messages
//! staying queued forever.

use crate::domain::contact_info::EmailAddress;
use crate::domain::ids::OrgId;

/// A practice's reply address on `domain`: a readable slug of its name and a short suffix
/// from its id (`maple-clinic-3k9q@reply.canopy.care`); `attempt` varies the suffix when a
/// claim collides.
pub fn reply_address(
    name: &str,
    org: &OrgId,
    domain: &str,
    attempt: usize,
) -> Option<EmailAddress> {
    let slug: String = name
        .to_ascii_lowercase()
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(30)
        .collect();
    let id = org.ulid().to_string().to_ascii_lowercase();
    let suffix = &id[id.len() - 4 - attempt.min(8)..id.len() - attempt.min(8)];
    let local = if slug.is_empty() {
        format!("practice-{suffix}")
    } else {
        format!("{}-{suffix}", slug.trim_matches('-'))
    };
    EmailAddress::parse(&format!("{local}@{domain}")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_addresses_are_readable_and_vary_by_attempt() {
        let org = OrgId::generate();
        let a = reply_address("Maple Street Clinic", &org, "reply.example", 0).unwrap();
        assert!(
            a.as_str().starts_with("maple-street-clinic-"),
            "{}",
            a.as_str()
        );
        assert!(a.as_str().ends_with("@reply.example"));
        let b = reply_address("Maple Street Clinic", &org, "reply.example", 1).unwrap();
        assert_ne!(a, b);
        assert!(reply_address("  ", &org, "reply.example", 0).is_some());
    }
}
