//! One-time codes: the model of a challenge (no table keys) and its pure rules.
//!
//! The rules (SECURITY.md) and where each is enforced:
//! - 6 digits from the OS CSPRNG without modulo bias: [`crate::domain::secrets::new_code`].
//! - Only `HMAC(pepper, challenge‖purpose‖destination‖code)` is stored: [`crate::domain::secrets::code_hash`].
//! - Valid 10 minutes, at most 5 checks, single use: conditions of the update that counts a
//!   check *before* comparing ([`super::check_code`]), and of the consuming update in the
//!   caller's transaction (the store's `consume`).
//! - A resend replaces the code: each destination's send window names its current
//!   challenge, and consuming checks it, so an older challenge cannot be used.
//! - At most 5 sends per destination per 10 minutes ([`super::start_code`]).

use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::ChallengeId;
use crate::domain::secrets::{code_hash, hashes_equal, new_code};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a challenge is for. It is bound into every code's hash, so a code sent for one flow
/// cannot complete another; the strings are what the table stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// A practice signs up: one code to the owner's email.
    OrgSignup,
    /// Staff (email) or patient (phone) sign-in.
    Login,
    /// Patient signup through a practice link: one SMS code.
    SignupLink,
    /// Patient signup through an invite sent by SMS only.
    SignupInviteSms,
    /// Patient signup through an invite with an email on file: an SMS and an email code.
    SignupInviteBoth,
}

impl CodePurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CodePurpose::OrgSignup => "org_signup",
            CodePurpose::Login => "login",
            CodePurpose::SignupLink => "signup_link",
            CodePurpose::SignupInviteSms => "signup_invite_sms",
            CodePurpose::SignupInviteBoth => "signup_invite_both",
        }
    }

    const ALL: [CodePurpose; 5] = [
        CodePurpose::OrgSignup,
        CodePurpose::Login,
        CodePurpose::SignupLink,
        CodePurpose::SignupInviteSms,
        CodePurpose::SignupInviteBoth,
    ];
}

impl fmt::Display for CodePurpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The string is not one of the purposes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code purpose {0:?}")]
pub struct UnknownPurpose(pub String);

impl FromStr for CodePurpose {
    type Err = UnknownPurpose;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == s)
            .ok_or_else(|| UnknownPurpose(s.to_string()))
    }
}

/// How a code travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

impl Channel {
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }
}

/// Where a code goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Destination {
    Sms(PhoneNumber),
    Email(EmailAddress),
}

impl Destination {
    pub fn kind(&self) -> Channel {
        match self {
            Destination::Sms(_) => Channel::Sms,
            Destination::Email(_) => Channel::Email,
        }
    }

    pub fn channel(&self) -> &'static str {
        self.kind().as_str()
    }

    /// Where to deliver, as given (an email's local part keeps its case).
    pub fn address(&self) -> &str {
        match self {
            Destination::Sms(p) => p.as_str(),
            Destination::Email(e) => e.as_str(),
        }
    }

    /// The destination's identity for budgets, "current challenge" and code binding: the
    /// whole email lower-cased. Mail systems treat `DrSmith@` and `drsmith@` as one mailbox
    /// (and so does sign-in), so they must share one send budget and one live code; keyed by
    /// the address as typed, each case variant would get its own five sends.
    pub fn key(&self) -> String {
        match self {
            Destination::Sms(p) => p.as_str().to_string(),
            Destination::Email(e) => e.as_str().to_lowercase(),
        }
    }
}

/// One code of a challenge, as stored: never the code itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSlot {
    pub channel: Channel,
    /// [`Destination::key`] of where the code went.
    pub destination: String,
    pub hash: String,
}

/// A challenge: one or two codes that together prove a person holds the destinations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Challenge {
    pub id: ChallengeId,
    pub purpose: CodePurpose,
    pub codes: Vec<CodeSlot>,
    /// Checks counted so far (a check is counted before it is compared).
    pub attempts: u32,
    pub consumed: bool,
    pub expires_at: i64,
    /// What the flow needs after verification (e.g. the signup's name and phone), as JSON
    /// written by the flow that started the challenge.
    pub payload: String,
}

/// A plaintext code to deliver once the challenge is stored.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub destination: Destination,
    pub code: String,
}

impl Challenge {
    /// A new challenge with a fresh code per destination, and the codes to deliver.
    pub fn issue(
        pepper: &[u8],
        purpose: CodePurpose,
        destinations: &[Destination],
        payload: String,
        expires_at: i64,
    ) -> (Self, Vec<Outgoing>) {
        let id = ChallengeId::generate();
        let id_text = id.to_string();
        let mut codes = Vec::with_capacity(destinations.len());
        let mut outgoing = Vec::with_capacity(destinations.len());
        for destination in destinations {
            let code = new_code();
            let key = destination.key();
            codes.push(CodeSlot {
                channel: destination.kind(),
                hash: code_hash(pepper, &id_text, purpose.as_str(), &key, &code),
                destination: key,
            });
            outgoing.push(Outgoing {
                destination: destination.clone(),
                code,
            });
        }
        let challenge = Self {
            id,
            purpose,
            codes,
            attempts: 0,
            consumed: false,
            expires_at,
            payload,
        };
        (challenge, outgoing)
    }

    /// Whether `given` answers every slot: one code per stored slot, matched by channel (a
    /// field named `sms_code` answers the `sms` slot; with a single code any name does).
    pub fn answered_by(&self, pepper: &[u8], given: &[(&'static str, Option<&str>)]) -> bool {
        let id = self.id.to_string();
        self.codes.len() == given.len()
            && self.codes.iter().all(|slot| {
                given
                    .iter()
                    .find(|(field, _)| field.starts_with(slot.channel.as_str()) || given.len() == 1)
                    .and_then(|(_, code)| *code)
                    .is_some_and(|code| {
                        let hash =
                            code_hash(pepper, &id, self.purpose.as_str(), &slot.destination, code);
                        hashes_equal(&hash, &slot.hash)
                    })
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn purposes_keep_the_strings_the_table_stores() {
        for purpose in CodePurpose::ALL {
            assert_eq!(purpose.as_str().parse::<CodePurpose>(), Ok(purpose));
            assert_eq!(
                serde_json::to_value(purpose).unwrap(),
                serde_json::json!(purpose.as_str())
            );
        }
        assert!("signup".parse::<CodePurpose>().is_err());
    }

    #[test]
    fn a_code_answers_only_its_own_challenge_and_purpose() {
        let phone = PhoneNumber::parse("+14155550101").unwrap();
        let (challenge, out) = Challenge::issue(
            b"pepper-pepper-pepper",
            CodePurpose::Login,
            &[Destination::Sms(phone)],
            String::new(),
            0,
        );
        let code = out[0].code.as_str();
        assert!(challenge.answered_by(b"pepper-pepper-pepper", &[("code", Some(code))]));
        assert!(!challenge.answered_by(b"another-pepper-here", &[("code", Some(code))]));
        let other = Challenge {
            purpose: CodePurpose::OrgSignup,
            ..challenge.clone()
        };
        assert!(!other.answered_by(b"pepper-pepper-pepper", &[("code", Some(code))]));
        assert!(!challenge.answered_by(b"pepper-pepper-pepper", &[("code", None)]));
    }
}
