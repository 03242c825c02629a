//! Invite a contact to a new secure conversation (`POST /v1/invites`, and the secure invite
//! of a standard conversation, whose pending conversation remembers the standard one in
//! `invited_from` so the pairing can link the two: `crate::pairing::accept`).
//!
//! The contact's phone must be in the deployment's SMS countries (400
//! `unsupported_country` before anything is spent or written).
//!
//! Round trips: 1 BatchGetItem (contact + practice name); the invite budgets (1
//! BatchGetItem + 1 TransactWriteItems, [`super::rules::InviteBudgets`]); 1 TransactWriteItems (the
//! conversation in state `pending_account`, the invite record, the token item — the
//! plaintext token only ever leaves in the texts —, the contact marked invited with the
//! conversation listed, the audit item); then the texts, and 1 UpdateItem (send results).

use super::deliver::{send_and_record, Outbox};
use super::model::{Invite, InviteStatus, SendResults, INVITE_LIFETIME_MS};
use super::rules::{self, UnknownLink};
use crate::access::send_budgets::CountryNotAllowed;
use crate::adapters::dynamo::StoreError;
use crate::conversations::{
    new_conversation, ConversationKind, ConversationState, NewConversation,
};
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::{ContactId, ConversationId, InviteId, LinkId};
use crate::domain::secrets::{new_token, token_hash};
use crate::links::rules::InvalidField;
use crate::ports::access::RateLimitStore;
use crate::ports::invites::{InviteStore, InviteWriteError, NewConversationItems};

/// The request as parsed from the body (ids not parsed yet).
#[derive(Debug, Clone, Default)]
pub struct CreateInvite {
    pub contact_id: String,
    pub link_id: Option<String>,
    pub subject: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateInviteError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Invalid(#[from] InvalidField),
    /// Unknown, malformed or another practice's.
    #[error("no such contact")]
    ContactNotFound,
    #[error(transparent)]
    LinkNotFound(#[from] UnknownLink),
    /// The patient already has an account: start a secure conversation instead.
    #[error("the contact already has an account")]
    HasAccount,
    /// The contact's phone is outside the deployment's SMS countries.
    #[error(transparent)]
    UnsupportedCountry(#[from] CountryNotAllowed),
    /// A practice or contact invite budget is used up ([`rules::InviteBudgets`]).
    #[error("too many invites; retry in {retry_after_secs} s")]
    TooMany { retry_after_secs: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<rules::SpendRefused> for CreateInviteError {
    fn from(e: rules::SpendRefused) -> Self {
        match e {
            rules::SpendRefused::Limited { retry_after_secs } => Self::TooMany { retry_after_secs },
            rules::SpendRefused::Store(e) => Self::Store(e),
        }
    }
}

/// How a new invite's conversation is routed and titled, and where it comes from.
#[derive(Debug, Clone, Default)]
pub struct InviteSpec {
    /// The link it is routed to (None: the whole team).
    pub link: Option<LinkId>,
    pub subject: Option<String>,
    /// `secure-invite`: the standard conversation it is made from (None for `POST
    /// /v1/invites`).
    pub from_standard: Option<ConversationId>,
}

/// `POST /v1/invites`: the request's ids and subject checked, then [`invite_contact`].
pub async fn create_invite(
    store: &(impl InviteStore + RateLimitStore),
    outbox: &Outbox<'_>,
    caller: &Caller,
    request: CreateInvite,
    now: i64,
    request_id: &str,
) -> Result<Invite, CreateInviteError> {
    caller.staff_org()?;
    // A malformed id is as unknown as another practice's.
    let contact: ContactId = request
        .contact_id
        .parse()
        .map_err(|_| CreateInviteError::ContactNotFound)?;
    let link = rules::visible_link(caller, request.link_id.as_deref())?;
    let subject = rules::subject(request.subject.as_deref())?;
    let spec = InviteSpec {
        link,
        subject,
        from_standard: None,
    };
    invite_contact(store, outbox, caller, &contact, spec, now, request_id).await
}

/// The invite itself, for a contact of the caller's practice, as `spec` says.
pub async fn invite_contact(
    store: &(impl InviteStore + RateLimitStore),
    outbox: &Outbox<'_>,
    caller: &Caller,
    contact_id: &ContactId,
    spec: InviteSpec,
    now: i64,
    request_id: &str,
) -> Result<Invite, CreateInviteError> {
    let InviteSpec {
        link,
        subject,
        from_standard,
    } = spec;
    let org = caller.staff_org()?;
    let (contact, practice_name) = store.contact_and_practice(&org, contact_id).await?;
    let contact = contact.ok_or(CreateInviteError::ContactNotFound)?;
    let practice_name = practice_name.ok_or(CreateInviteError::ContactNotFound)?;
    if contact.account_id.is_some() {
        return Err(CreateInviteError::HasAccount);
    }
    if let Some(phone) = &contact.phone {
        outbox.budgets.check_country(phone)?;
    }
    outbox.budgets.spend(store, &org, &contact.id, now).await?;
    let token = new_token();
    let conversation_id = ConversationId::generate();
    let (mut meta, rows) = new_conversation(
        NewConversation {
            id: conversation_id,
            org_id: org,
            kind: ConversationKind::Secure,
            subject,
            tags: Vec::new(),
            state: ConversationState::PendingAccount,
            identity: None,
            contact_match: None,
            link_id: link,
            contact_ids: vec![contact.id],
            channel: None,
            participants: Vec::new(),
            created_by: Some(caller.account_id),
        },
        now,
    );
    meta.invited_from = from_standard;
    let invite = Invite {
        id: InviteId::generate(),
        org_id: org,
        practice_name,
        contact_id: contact.id,
        conversation_id,
        link_id: link,
        phone: contact.phone.clone(),
        email: contact.email.clone(),
        status: InviteStatus::Pending,
        token_hash: token_hash(&token),
        expires_at: now + INVITE_LIFETIME_MS,
        sends: SendResults::default(),
        resends: Vec::new(),
        created_at: now,
        created_by: caller.account_id,
        accepted_at: None,
        account_id: None,
    };
    let targets = vec![
        invite.id.to_string(),
        contact.id.to_string(),
        conversation_id.to_string(),
    ];
    let audit = crate::links::staff_audit(caller, &org, "invite.create", targets, request_id);
    let conversation = NewConversationItems {
        meta: &meta,
        rows: &rows,
    };
    match store
        .insert_invite(&invite, conversation, &audit, now)
        .await
    {
        Ok(()) => {}
        Err(InviteWriteError::Refused) => return Err(CreateInviteError::HasAccount),
        Err(InviteWriteError::Store(e)) => return Err(e.into()),
    }
    Ok(send_and_record(store, outbox, invite, &token, now).await)
}
