//! An inbound SMS or email, threaded into the practice's conversation with its sender.
//!
//! Which practice: the one whose own number / reply address it was sent to (an address
//! on no practice is dropped, so a message never reaches another practice). Which
//! conversation: the reply token (email, `reply+<token>@…`) when it names a standard
//! conversation of that practice with this sender, else the latest standard conversation
//! of the practice with the sender's address, else a new one (with a new contact named by
//! the address when no contact has it).
//!
//! A read-only conversation takes no message (SECURITY.md: read-only refuses every write
//! but receipts), but the patient's message must not be lost or land where staff stopped
//! looking: it opens a new standard conversation in the inbox, which becomes the
//! thread's latest; the read-only one stays as staff left it. (API.md does not say; this
//! is what shared inboxes do with a reply to a closed conversation.)
//!
//! Keywords (SMS): STOP-family and START change the address's opt-out and store no
//! message; HELP gets one automatic reply.
//!
//! Round trips, known sender: GetItem (practice channel) + GetItem (thread) + one
//! TransactWriteItems (message, meta counters and inbox order, duplicate guard, audit).
//! Unknown sender: + one Query (contact by address); the transaction also writes the
//! conversation, the thread item and, if needed, the contact.

use crate::adapters::dynamo::StoreError;
use crate::domain::ids::{ConversationId, MessageId};
use crate::ports::standard::{
    Appended, NewInbound, OpenThread, OutboundSms, PracticeChannel, SmsSender, StandardStore,
};
use crate::ports::Clock;
use crate::standard::keywords::{help_reply, Keyword};
use crate::standard::model::{Address, StandardChannel};

/// An inbound message as the edge parsed it from the provider's event.
#[derive(Debug, Clone)]
pub struct InboundMessage {
    /// The practice's number or reply address it was sent to (for email: without the
    /// `+token`).
    pub to: Address,
    pub from: Address,
    /// The text (email: the plain-text body, subject first when there is one).
    pub text: String,
    /// The provider's id of this inbound message (duplicates are recognised by it).
    pub provider_id: String,
    /// Email only: the reply token after `+` in the address it was sent to.
    pub reply_token: Option<ConversationId>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Received {
    Threaded {
        conversation_id: ConversationId,
        message_id: MessageId,
        opened: bool,
    },
    Duplicate,
    OptedOut,
    OptedIn,
    HelpAnswered,
    /// Sent to an address that is no practice's: dropped.
    UnknownPractice,
    /// Nothing to thread (an empty body).
    Empty,
}

impl Received {
    /// A short name for logs and the functions' answers (no PHI).
    pub fn name(&self) -> &'static str {
        match self {
            Received::Threaded { opened: true, .. } => "opened",
            Received::Threaded { .. } => "threaded",
            Received::Duplicate => "duplicate",
            Received::OptedOut => "opted_out",
            Received::OptedIn => "opted_in",
            Received::HelpAnswered => "help_answered",
            Received::UnknownPractice => "unknown_practice",
            Received::Empty => "empty",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReceiveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The HELP reply could not be sent; the event is retried.
    #[error("the automatic reply could not be sent")]
    ReplyUnavailable,
    #[error("gave up after repeated conflicts")]
    Contended,
}

/// Most characters of an inbound message kept (the API's limit for any message).
const MAX_CHARS: usize = crate::conversations::MAX_TEXT_CHARS;
const ATTEMPTS: usize = 8;

pub async fn receive(
    store: &dyn StandardStore,
    sms: &dyn SmsSender,
    clock: &dyn Clock,
    message: &InboundMessage,
) -> Result<Received, ReceiveError> {
    let Some(practice) = store.practice_by_address(&message.to).await? else {
        return Ok(Received::UnknownPractice);
    };
    if message.from.channel() == StandardChannel::Sms {
        if let Some(keyword) = Keyword::of(&message.text) {
            return keyword_action(store, sms, clock, &practice, message, keyword).await;
        }
    }
    let text: String = message.text.trim().chars().take(MAX_CHARS).collect();
    if text.is_empty() {
        return Ok(Received::Empty);
    }
    thread(store, clock, &practice, message, &text).await
}

async fn keyword_action(
    store: &dyn StandardStore,
    sms: &dyn SmsSender,
    clock: &dyn Clock,
    practice: &PracticeChannel,
    message: &InboundMessage,
    keyword: Keyword,
) -> Result<Received, ReceiveError> {
    let now = clock.now_ms();
    match keyword {
        Keyword::Stop => {
            store
                .set_opt_out(&practice.org_id, &message.from, true, now)
                .await?;
            Ok(Received::OptedOut)
        }
        Keyword::Start => {
            store
                .set_opt_out(&practice.org_id, &message.from, false, now)
                .await?;
            Ok(Received::OptedIn)
        }
        Keyword::Help => {
            if !store.claim_event(&message.provider_id, now).await? {
                return Ok(Received::Duplicate);
            }
            let text = help_reply(&practice.practice_name);
            let sent = sms
                .send_sms(&OutboundSms {
                    from: &practice.address,
                    to: &message.from,
                    text: &text,
                    context: &[("org_id", practice.org_id.to_string())],
                })
                .await;
            match sent {
                Ok(_) => Ok(Received::HelpAnswered),
                Err(_) => {
                    store.release_event(&message.provider_id).await?;
                    Err(ReceiveError::ReplyUnavailable)
                }
            }
        }
    }
}

fn preview(text: &str) -> String {
    match crate::conversations::MessageText::parse(text.to_string()) {
        Ok(t) => t.preview(),
        Err(_) => String::new(),
    }
}

async fn thread(
    store: &dyn StandardStore,
    clock: &dyn Clock,
    practice: &PracticeChannel,
    message: &InboundMessage,
    text: &str,
) -> Result<Received, ReceiveError> {
    let org = practice.org_id;
    let mut after: Option<MessageId> = None;
    // A conversation found read-only: it takes nothing, so the message opens a new one.
    let mut closed: Option<ConversationId> = None;
    for _ in 0..ATTEMPTS {
        let now = clock.now_ms();
        let message_id = next_id(after.as_ref());
        let existing = store.thread(&org, &message.from).await?;
        let by_token = match message.reply_token {
            Some(token) if store.conversation_with(&org, &token, &message.from).await? => {
                Some(token)
            }
            _ => None,
        };
        let latest = existing.as_ref().and_then(|t| t.latest_conversation_id);
        let target = by_token
            .filter(|t| Some(*t) != closed)
            .or(latest.filter(|l| Some(*l) != closed));
        let contact = match &existing {
            Some(t) => Some(t.contact_id),
            None => store.contact_with(&org, &message.from).await?,
        };
        let (conversation_id, outcome, opened) = match (target, contact) {
            (Some(conversation_id), Some(contact_id)) => {
                let inbound = NewInbound {
                    org_id: org,
                    conversation_id,
                    message_id,
                    contact_id,
                    text,
                    preview: preview(text),
                    provider_id: &message.provider_id,
                    at_ms: now,
                };
                (
                    conversation_id,
                    store.append_inbound(&inbound).await?,
                    false,
                )
            }
            _ => {
                let conversation_id = ConversationId::generate_standard();
                let open = OpenThread {
                    practice,
                    from: &message.from,
                    existing_contact: contact,
                    first: NewInbound {
                        org_id: org,
                        conversation_id,
                        message_id,
                        contact_id: contact.unwrap_or_else(crate::domain::ids::ContactId::generate),
                        text,
                        preview: preview(text),
                        provider_id: &message.provider_id,
                        at_ms: now,
                    },
                    replacing: latest.filter(|l| Some(*l) == closed),
                };
                (conversation_id, store.open_thread(&open).await?, true)
            }
        };
        match outcome {
            Appended::Stored => {
                return Ok(Received::Threaded {
                    conversation_id,
                    message_id,
                    opened,
                })
            }
            Appended::Duplicate => return Ok(Received::Duplicate),
            Appended::Stale(last) => after = Some(last),
            Appended::ThreadExists => {}
            Appended::ReadOnly => closed = Some(conversation_id),
        }
    }
    Err(ReceiveError::Contended)
}

/// A fresh message id, after `after` when a newer message was committed first (message ids
/// are in commit order within a conversation; receipts rely on it).
fn next_id(after: Option<&MessageId>) -> MessageId {
    let fresh = ulid::Ulid::new();
    match after.and_then(|a| a.ulid().increment()) {
        Some(min) if min > fresh => MessageId::from_ulid(min),
        _ => MessageId::from_ulid(fresh),
    }
}
