//! Staff start a conversation: secure (1:1 or group: patients who have accounts, plus
//! teammates) or standard (SMS/email with one contact).
//!
//! Round trips: three. The participants, looked up concurrently (contacts and teammates,
//! through [`PracticeDirectory`]); the practice's links (routing and tags); then one
//! TransactWriteItems: the conversation, one inbox row per participant, the audit item.
//!
//! A standard conversation also reads, concurrently with the links, the practice's own
//! number or reply address (its `from`) and the contact address's opt-out; it goes `to`
//! the contact's number or address, and its transaction links it into the practice's
//! thread with that address (so replies thread into it and STOP opts it out), under the
//! condition that the opt-out read is still true. A practice without a number for the
//! channel (made while the pool was empty) is 409 `no_sms_number` / `no_reply_email`.

use super::fields::BadField;
use super::{
    Channel, Context, Conversation, ConversationKind, ConversationState, NewConversation,
    ParticipantKind, ParticipantRef,
};
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::{Caller, NotAllowed};
use crate::domain::ids::{AccountId, ContactId, ConversationId, LinkId, OrgId};
use crate::ports::conversations::{ConversationStore, PracticeDirectory, RoutingLink};

/// Groups are small; this also bounds the post's and PATCH's work.
pub const MAX_PARTICIPANTS: usize = 50;

/// Who the conversation is with.
#[derive(Debug, Clone)]
pub enum Roster {
    /// `ct_…` (a patient contact with an account) and `acct_…` (a teammate) ids, as given.
    Secure(Vec<String>),
    /// One contact, reached by `channel`.
    Standard {
        contact: ContactId,
        channel: Channel,
    },
}

#[derive(Debug, Clone)]
pub struct CreateInput {
    pub roster: Roster,
    /// Already validated ([`super::fields::subject`]).
    pub subject: Option<String>,
    pub link_id: Option<LinkId>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreateError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error(transparent)]
    Invalid(#[from] BadField),
    /// A well-formed id that names nothing the caller can see (`field` names it): 404.
    #[error("{field}: no such {what}")]
    Unknown { field: String, what: &'static str },
    /// A listed patient contact has no account yet (`field` names it).
    #[error("{field}: the patient has no account yet; invite them first")]
    NoAccount { field: String },
    /// The practice has no number (or reply address) to send this channel from.
    #[error("the practice has no {0:?} address to send from")]
    NoPracticeAddress(Channel),
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub async fn create(
    store: &impl ConversationStore,
    directory: &impl PracticeDirectory,
    cx: &Context<'_>,
    input: CreateInput,
) -> Result<Conversation, CreateError> {
    let org = cx.caller.staff_org()?;
    let mut addresses = None;
    let (kind, participants, contact_ids, channel) = match input.roster {
        Roster::Secure(ids) => {
            let (refs, contacts) = secure_participants(directory, &org, &ids).await?;
            (ConversationKind::Secure, refs, contacts, None)
        }
        Roster::Standard { contact, channel } => {
            let found = directory
                .contact(&org, &contact)
                .await?
                .ok_or_else(|| unknown("contact_id", "contact"))?;
            let to = match channel {
                Channel::Sms => found.phone,
                Channel::Email => found.email,
            };
            let Some(to) = to else {
                let problem = "the contact has no address for this channel";
                return Err(BadField::new("channel", problem).into());
            };
            let start = directory.standard_start(&org, channel, &to).await?;
            let from = start
                .from
                .clone()
                .ok_or(CreateError::NoPracticeAddress(channel))?;
            addresses = Some((to, from, start));
            (
                ConversationKind::Standard,
                vec![],
                vec![contact],
                Some(channel),
            )
        }
    };
    let links = directory.links(&org).await?;
    let link = routing_link(cx.caller, links, input.link_id)?;
    let now = cx.now();
    let mut conversation = Conversation::new(
        NewConversation {
            id: match kind {
                ConversationKind::Standard => ConversationId::generate_standard(),
                ConversationKind::Secure => ConversationId::generate_secure(),
            },
            org_id: org,
            kind,
            subject: input.subject,
            tags: link.as_ref().map(|l| l.tags.clone()).unwrap_or_default(),
            state: ConversationState::Active,
            identity: None,
            contact_match: None,
            link_id: link.as_ref().map(|l| l.id),
            contact_ids,
            channel,
            participants,
            created_by: Some(cx.caller.account_id),
        },
        now,
    );
    if let Some((to, from, start)) = addresses {
        conversation.to = Some(to);
        conversation.from_address = Some(from);
        conversation.opted_out = start.opted_out;
        conversation.opted_out_at = start.opted_out_at;
    }
    let event = cx.audit(
        "conversation.create",
        vec![conversation.id.to_string()],
        "ok",
    );
    store.create(&conversation, &event, now).await?;
    Ok(conversation)
}

fn unknown(field: &str, what: &'static str) -> CreateError {
    CreateError::Unknown {
        field: field.to_string(),
        what,
    }
}

/// Resolves each id concurrently; the first failing id (in the given order) is the error.
async fn secure_participants(
    directory: &impl PracticeDirectory,
    org: &OrgId,
    ids: &[String],
) -> Result<(Vec<ParticipantRef>, Vec<ContactId>), CreateError> {
    if ids.is_empty() || ids.len() > MAX_PARTICIPANTS {
        let problem = "must list 1 to 50 patients (ct_…) or teammates (acct_…)";
        return Err(BadField::new("participant_ids", problem).into());
    }
    let lookups = ids
        .iter()
        .enumerate()
        .map(|(i, raw)| participant(directory, org, format!("participant_ids[{i}]"), raw));
    let mut refs: Vec<ParticipantRef> = Vec::new();
    let mut contacts = Vec::new();
    for found in futures::future::join_all(lookups).await {
        let (who, contact) = found?;
        if !refs.iter().any(|x| x.id == who.id) {
            refs.push(who);
        }
        if let Some(c) = contact.filter(|c| !contacts.contains(c)) {
            contacts.push(c);
        }
    }
    Ok((refs, contacts))
}

async fn participant(
    directory: &impl PracticeDirectory,
    org: &OrgId,
    field: String,
    raw: &str,
) -> Result<(ParticipantRef, Option<ContactId>), CreateError> {
    if let Ok(contact) = raw.parse::<ContactId>() {
        let found = directory
            .contact(org, &contact)
            .await?
            .ok_or_else(|| unknown(&field, "contact"))?;
        let id = found.account_id.ok_or(CreateError::NoAccount { field })?;
        let kind = ParticipantKind::Patient;
        Ok((
            ParticipantRef {
                id,
                kind,
                name: found.name,
            },
            Some(contact),
        ))
    } else if let Ok(id) = raw.parse::<AccountId>() {
        let name = directory
            .teammate_name(org, &id)
            .await?
            .ok_or_else(|| unknown(&field, "teammate"))?;
        let kind = ParticipantKind::Staff;
        Ok((ParticipantRef { id, kind, name }, None))
    } else {
        Err(BadField::new(field, "must be a ct_… or acct_… id").into())
    }
}

/// The link the conversation is routed to: the one asked for (it must be one the caller
/// sees), else the practice's only link, else the one link the caller is a listed member
/// of; otherwise none (the whole team sees it).
fn routing_link(
    caller: &Caller,
    links: Vec<RoutingLink>,
    asked: Option<LinkId>,
) -> Result<Option<RoutingLink>, CreateError> {
    if let Some(id) = asked {
        return links
            .into_iter()
            .find(|l| l.id == id && caller.sees_link(Some(&l.id)))
            .map(Some)
            .ok_or_else(|| unknown("link_id", "link"));
    }
    if links.len() == 1 && caller.sees_link(Some(&links[0].id)) {
        return Ok(links.into_iter().next());
    }
    let mut mine = links
        .into_iter()
        .filter(|l| l.member_ids.contains(&caller.account_id));
    match (mine.next(), mine.next()) {
        (Some(only), None) => Ok(Some(only)),
        _ => Ok(None),
    }
}
