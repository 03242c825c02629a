//! An in-memory [`InviteStore`] and message gateways: resend runs against them with no
//! server (the token renewal, the rate limit, the race with an acceptance).

use super::*;
use crate::adapters::dynamo::StoreError;
use crate::contacts::Contact;
use crate::domain::caller::Caller;
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ContactId, ConversationId, InviteId, OrgId};
use crate::domain::role::Role;
use crate::ports::invites::{InviteStore, InviteWriteError, NewConversationItems};
use crate::ports::{Email, SendError, Sms};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use std::sync::Mutex;

#[derive(Default)]
struct FakeInvites {
    invites: Mutex<Vec<Invite>>,
    /// Token hashes with a live token item.
    tokens: Mutex<Vec<String>>,
}

/// Invite budgets are not what these tests are about: every window is empty.
#[async_trait]
impl crate::ports::access::RateLimitStore for FakeInvites {
    async fn rate_windows(
        &self,
        budgets: &[crate::access::rate_limit::Budget],
    ) -> Result<Vec<crate::access::window::Window>, StoreError> {
        Ok(vec![Default::default(); budgets.len()])
    }
    async fn save_rate_windows(
        &self,
        _: &[(
            crate::access::rate_limit::Budget,
            crate::access::window::Window,
        )],
        _: i64,
    ) -> Result<(), StoreError> {
        Ok(())
    }
}

#[async_trait]
impl InviteStore for FakeInvites {
    async fn contact_and_practice(
        &self,
        _: &OrgId,
        _: &ContactId,
    ) -> Result<(Option<Contact>, Option<String>), StoreError> {
        Ok((None, None))
    }

    async fn insert_invite(
        &self,
        _: &Invite,
        _: NewConversationItems<'_>,
        _: &AuditEvent<'_>,
        _: i64,
    ) -> Result<(), InviteWriteError> {
        Err(StoreError::Other("not used here".into()).into())
    }

    async fn invite(&self, org: &OrgId, id: &InviteId) -> Result<Option<Invite>, StoreError> {
        let invites = self.invites.lock().unwrap();
        Ok(invites
            .iter()
            .find(|i| i.id == *id && i.org_id == *org)
            .cloned())
    }

    async fn token(&self, _: &str) -> Result<Option<InviteToken>, StoreError> {
        Ok(None)
    }

    async fn renew_token(
        &self,
        previous: &Invite,
        renewed: &Invite,
        _: &AuditEvent<'_>,
        _: i64,
    ) -> Result<(), InviteWriteError> {
        let mut invites = self.invites.lock().unwrap();
        let stored = invites
            .iter_mut()
            .find(|i| i.id == renewed.id)
            .ok_or(InviteWriteError::Refused)?;
        if stored.token_hash != previous.token_hash || stored.status != InviteStatus::Pending {
            return Err(InviteWriteError::Refused);
        }
        *stored = renewed.clone();
        let mut tokens = self.tokens.lock().unwrap();
        tokens.retain(|t| *t != previous.token_hash);
        tokens.push(renewed.token_hash.clone());
        Ok(())
    }

    async fn record_sends(&self, invite: &Invite, sends: &SendResults) -> Result<(), StoreError> {
        let mut invites = self.invites.lock().unwrap();
        if let Some(stored) = invites
            .iter_mut()
            .find(|i| i.token_hash == invite.token_hash)
        {
            stored.sends = sends.clone();
        }
        Ok(())
    }
}

/// A gateway that records what it sent and answers `result`.
struct Gateway(Mutex<Vec<String>>, Result<(), SendError>);

#[async_trait]
impl Sms for Gateway {
    async fn send_sms(&self, _: &PhoneNumber, text: &str) -> Result<(), SendError> {
        self.0.lock().unwrap().push(text.to_string());
        self.1.clone()
    }
}

#[async_trait]
impl Email for Gateway {
    async fn send_email(&self, _: &EmailAddress, _: &str, body: &str) -> Result<(), SendError> {
        self.0.lock().unwrap().push(body.to_string());
        self.1.clone()
    }
}

fn pending_invite(org: OrgId, now: i64) -> Invite {
    Invite {
        id: InviteId::generate(),
        org_id: org,
        practice_name: "Elm Street Clinic".into(),
        contact_id: ContactId::generate(),
        conversation_id: ConversationId::generate(),
        link_id: None,
        phone: Some(PhoneNumber::parse("2025550123").unwrap()),
        email: None,
        status: InviteStatus::Pending,
        token_hash: "first".into(),
        expires_at: now - 1,
        sends: SendResults::default(),
        resends: Vec::new(),
        created_at: now - INVITE_LIFETIME_MS,
        created_by: AccountId::generate(),
        accepted_at: None,
        account_id: None,
    }
}

fn staff(org: OrgId) -> Caller {
    Caller {
        account_id: AccountId::generate(),
        role: Role::Member,
        org_id: Some(org),
        visible_links: vec![],
    }
}

#[tokio::test]
async fn a_resend_revives_the_invite_with_a_new_token_three_times_an_hour() {
    let (org, now) = (OrgId::generate(), 10 * RESEND_WINDOW_MS);
    let invite = pending_invite(org, now);
    let store = FakeInvites::default();
    store.invites.lock().unwrap().push(invite.clone());
    let sms = Gateway(Mutex::default(), Ok(()));
    let email = Gateway(Mutex::default(), Err(SendError::Unavailable));
    let outbox = Outbox {
        sms: &sms,
        email: &email,
        link_base_url: "https://canopy.link",
        budgets: &super::rules::InviteBudgets::default(),
    };
    let caller = staff(org);
    let mut token = invite.token_hash.clone();
    for i in 0..3 {
        let renewed = resend_invite(&store, &outbox, &caller, &invite.id, now + i, "r")
            .await
            .unwrap();
        assert_ne!(renewed.token_hash, token, "a fresh token every time");
        assert_eq!(renewed.expires_at, now + i + INVITE_LIFETIME_MS);
        assert_eq!(renewed.sends.sms.map(|s| s.outcome), Some(SendOutcome::Ok));
        assert_eq!(renewed.sends.email, None, "no address on file, no email");
        assert_eq!(
            *store.tokens.lock().unwrap(),
            vec![renewed.token_hash.clone()]
        );
        token = renewed.token_hash;
    }
    assert_eq!(sms.0.lock().unwrap().len(), 3);
    let fourth = resend_invite(&store, &outbox, &caller, &invite.id, now + 3, "r").await;
    assert_eq!(
        fourth,
        Err(ResendInviteError::TooMany {
            retry_after_secs: 3600
        })
    );
    let later = now + RESEND_WINDOW_MS + 1;
    assert!(
        resend_invite(&store, &outbox, &caller, &invite.id, later, "r")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn an_accepted_or_unseen_invite_is_not_resent() {
    let (org, now) = (OrgId::generate(), 1_000_000);
    let store = FakeInvites::default();
    let accepted = Invite {
        status: InviteStatus::Accepted,
        ..pending_invite(org, now)
    };
    let routed = Invite {
        link_id: Some(crate::domain::ids::LinkId::generate()),
        ..pending_invite(org, now)
    };
    store
        .invites
        .lock()
        .unwrap()
        .extend([accepted.clone(), routed.clone()]);
    let gateway = Gateway(Mutex::default(), Ok(()));
    let outbox = Outbox {
        sms: &gateway,
        email: &gateway,
        link_base_url: "https://canopy.link",
        budgets: &super::rules::InviteBudgets::default(),
    };
    let caller = staff(org);
    let resend = |id| resend_invite(&store, &outbox, &caller, id, now, "r");
    assert_eq!(resend(&accepted.id).await, Err(ResendInviteError::Accepted));
    assert_eq!(resend(&routed.id).await, Err(ResendInviteError::NotFound));
    let other = staff(OrgId::generate());
    let foreign = resend_invite(&store, &outbox, &other, &accepted.id, now, "r").await;
    assert_eq!(foreign, Err(ResendInviteError::NotFound));
    assert!(gateway.0.lock().unwrap().is_empty(), "nothing was sent");
}
