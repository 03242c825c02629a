//! An in-memory [`ConversationStore`] for the use cases' unit tests: the conditions the
//! DynamoDB adapter puts on its writes, checked in the same order on plain maps, and a log
//! of the calls made, so a test can assert a use case's round trips without a server.

use super::{Conversation, Message, PostRecord, Receipt};
use crate::access::proof::SessionProof;
use crate::adapters::dynamo::StoreError;
use crate::conversations::{ClientMessageId, ConversationState, ReadState};
use crate::domain::caller::Caller;
use crate::domain::ids::{AccountId, ConversationId, MessageId, OrgId, SenderId};
use crate::ports::conversations::{
    ChangeRefused, ConversationStore, HorizonMove, HorizonRefused, InboxScope, ListError, Listing,
    MessagesFrom, NewReadCount, OwnHorizonMove, PostRefused, Posting, ReceiptState, ResumeAt,
    SettingsChange, StaffInboxQuery,
};
use crate::services::audit::AuditEvent;
use async_trait::async_trait;
use std::collections::BTreeMap;
use std::sync::Mutex;

#[derive(Default)]
pub struct FakeStore {
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    conversations: BTreeMap<ConversationId, Conversation>,
    messages: BTreeMap<(ConversationId, MessageId), Message>,
    records: BTreeMap<(AccountId, String), PostRecord>,
    receipts: Vec<(ConversationId, Receipt)>,
    /// Group readers' own horizons (`H#reader`).
    own_horizons: BTreeMap<(ConversationId, AccountId), ReadState>,
    names: BTreeMap<SenderId, String>,
    audits: Vec<&'static str>,
    calls: Vec<&'static str>,
}

impl FakeStore {
    fn with<T>(&self, call: &'static str, f: impl FnOnce(&mut State) -> T) -> T {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.calls.push(call);
        f(&mut state)
    }

    pub fn insert(&self, c: Conversation) {
        self.with("(setup)", |s| s.conversations.insert(c.id, c));
    }

    pub fn stored(&self, id: &ConversationId) -> Option<Conversation> {
        self.with("(inspect)", |s| s.conversations.get(id).cloned())
    }

    /// The port calls made so far (set-up and inspection left out).
    pub fn calls(&self) -> Vec<&'static str> {
        let calls = self.with("(inspect)", |s| s.calls.clone());
        calls.into_iter().filter(|c| !c.starts_with('(')).collect()
    }

    pub fn audits(&self) -> Vec<&'static str> {
        self.with("(inspect)", |s| s.audits.clone())
    }

    pub fn forget_calls(&self) {
        self.with("(inspect)", |s| s.calls.clear());
    }
}

fn set_horizon(c: &mut Conversation, reader: &AccountId, through: MessageId, count: i64, at: i64) {
    let state = ReadState { through, count, at };
    c.reads.insert(reader.to_string(), state);
    c.read_counts.insert(reader.to_string(), count);
}

fn page<T: Clone>(all: Vec<T>, limit: i32, key: impl Fn(&T) -> String) -> Listing<T> {
    let limit = usize::try_from(limit).unwrap_or(0);
    let more = all.len() > limit;
    let items: Vec<T> = all.into_iter().take(limit).collect();
    let next_cursor = more.then(|| items.last().map(&key)).flatten();
    Listing { items, next_cursor }
}

#[async_trait]
impl ConversationStore for FakeStore {
    async fn conversation(&self, id: &ConversationId) -> Result<Option<Conversation>, StoreError> {
        Ok(self.with("conversation", |s| s.conversations.get(id).cloned()))
    }

    async fn create(&self, c: &Conversation, a: &AuditEvent<'_>, _: i64) -> Result<(), StoreError> {
        self.with("create", |s| {
            if s.conversations.contains_key(&c.id) {
                return Err(StoreError::Other("conversation exists".into()));
            }
            s.conversations.insert(c.id, c.clone());
            s.audits.push(a.action);
            Ok(())
        })
    }

    async fn change_settings(
        &self,
        editor: &Caller,
        c: &Conversation,
        change: &SettingsChange,
        a: &AuditEvent<'_>,
        _: i64,
    ) -> Result<(), ChangeRefused> {
        self.with("change_settings", |s| {
            let stored = s.conversations.get_mut(&c.id);
            let Some(stored) = stored.filter(|c| c.visible_to(editor)) else {
                return Err(ChangeRefused::Conversation);
            };
            if let Some(ro) = change.read_only {
                stored.read_only = ro;
            }
            if let Some(subject) = &change.subject {
                stored.subject = subject.clone();
            }
            if let Some(tags) = &change.tags {
                stored.tags = tags.clone();
            }
            s.audits.push(a.action);
            Ok(())
        })
    }

    async fn post(&self, p: &Posting<'_>, a: &AuditEvent<'_>) -> Result<(), PostRefused> {
        self.with("post", |s| {
            let m = p.message;
            let poster = p.poster.account_id;
            let key = (poster, m.client_message_id.clone());
            if s.records
                .get(&key)
                .is_some_and(|r| r.expires_at >= m.sent_at)
            {
                return Err(PostRefused::KeyUsed);
            }
            let Some(c) = s.conversations.get_mut(&m.conversation_id) else {
                return Err(PostRefused::Conversation);
            };
            let open = c.visible_to(p.poster)
                && c.state == ConversationState::Active
                && !c.read_only
                && c.kind == p.assumed_kind
                && c.last_message_id.is_none_or(|last| last < m.id);
            if !open {
                return Err(PostRefused::Conversation);
            }
            if s.messages.contains_key(&(m.conversation_id, m.id)) {
                return Err(PostRefused::MessageIdTaken);
            }
            c.message_count += 1;
            c.last_message_id = Some(m.id);
            c.last_message_at = Some(m.sent_at);
            c.last_activity = m.sent_at;
            c.preview = Some(p.preview.clone());
            let count = c.message_count;
            set_horizon(c, &poster, m.id, count, m.sent_at);
            s.records.insert(key, p.record.clone());
            s.messages.insert((m.conversation_id, m.id), m.clone());
            let receipt = Receipt {
                reader: poster,
                from: None,
                through: m.id,
                at: m.sent_at,
            };
            s.receipts.push((m.conversation_id, receipt));
            s.audits.push(a.action);
            Ok(())
        })
    }

    async fn post_record(
        &self,
        sender: &AccountId,
        key: &ClientMessageId,
    ) -> Result<Option<PostRecord>, StoreError> {
        let key = (*sender, key.as_str().to_string());
        Ok(self.with("post_record", |s| s.records.get(&key).cloned()))
    }

    async fn move_horizon(
        &self,
        mv: &HorizonMove<'_>,
        a: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused> {
        self.with("move_horizon", |s| {
            if !s.messages.contains_key(&(mv.conversation, mv.through)) {
                return Err(HorizonRefused::NoSuchMessage);
            }
            let reader = &mv.reader.account_id;
            let stored = s.conversations.get_mut(&mv.conversation);
            let Some(c) = stored.filter(|c| c.visible_to(mv.reader)) else {
                return Err(HorizonRefused::Conversation);
            };
            if c.is_group() {
                return Err(HorizonRefused::Conversation);
            }
            let horizon = c.horizon_of(reader);
            let count = match mv.count {
                NewReadCount::CopyMessageCount
                    if c.last_message_id == Some(mv.through)
                        && horizon.is_none_or(|h| h < mv.through) =>
                {
                    c.message_count
                }
                NewReadCount::Exactly { count, previous } if horizon == previous => count,
                _ => return Err(HorizonRefused::Conversation),
            };
            set_horizon(c, reader, mv.through, count, mv.at);
            let receipt = Receipt {
                reader: *reader,
                from: mv.receipt_from,
                through: mv.through,
                at: mv.at,
            };
            s.receipts.push((mv.conversation, receipt));
            s.audits.push(a.action);
            Ok(())
        })
    }

    async fn receipt_state(
        &self,
        conversation: &ConversationId,
        reader: &AccountId,
        message: &MessageId,
        _proof: Option<&SessionProof>,
    ) -> Result<ReceiptState, StoreError> {
        Ok(self.with("receipt_state", |s| ReceiptState {
            conversation: s.conversations.get(conversation).cloned(),
            own_horizon: s.own_horizons.get(&(*conversation, *reader)).cloned(),
            message_exists: s.messages.contains_key(&(*conversation, *message)),
        }))
    }

    async fn move_own_horizon(
        &self,
        mv: &OwnHorizonMove<'_>,
        a: &AuditEvent<'_>,
    ) -> Result<(), HorizonRefused> {
        self.with("move_own_horizon", |s| {
            let reader = mv.reader.account_id;
            let key = (mv.conversation, reader);
            if s.own_horizons
                .get(&key)
                .is_some_and(|h| h.through >= mv.to.through)
            {
                return Err(HorizonRefused::Conversation);
            }
            s.own_horizons.insert(key, mv.to.clone());
            let receipt = Receipt {
                reader,
                from: mv.receipt_from,
                through: mv.to.through,
                at: mv.to.at,
            };
            s.receipts.push((mv.conversation, receipt));
            s.audits.push(a.action);
            Ok(())
        })
    }

    async fn own_horizons(
        &self,
        conversation: &ConversationId,
    ) -> Result<Vec<(AccountId, ReadState)>, StoreError> {
        Ok(self.with("own_horizons", |s| {
            s.own_horizons
                .iter()
                .filter(|((c, _), _)| c == conversation)
                .map(|((_, reader), state)| (*reader, state.clone()))
                .collect()
        }))
    }

    async fn count_messages(
        &self,
        conversation: &ConversationId,
        after: Option<&MessageId>,
        through: &MessageId,
    ) -> Result<i64, StoreError> {
        let counted = self.with("count_messages", |s| {
            s.messages
                .keys()
                .filter(|(c, m)| c == conversation && after.is_none_or(|a| m > a) && m <= through)
                .count()
        });
        Ok(i64::try_from(counted).unwrap_or(i64::MAX))
    }

    async fn staff_inbox(
        &self,
        q: &StaffInboxQuery<'_>,
    ) -> Result<Listing<Conversation>, ListError> {
        let mut all: Vec<Conversation> = self.with("staff_inbox", |s| {
            s.conversations.values().cloned().collect()
        });
        all.retain(|c| match &q.scope {
            InboxScope::Practice(org) => &c.org_id == org && c.visible_to(q.viewer),
            InboxScope::Link(link) => c.link_id.as_ref() == Some(link),
        });
        all.retain(|c| q.tag.is_none_or(|t| c.tags.iter().any(|x| x == t)));
        all.sort_by_key(|c| std::cmp::Reverse((c.last_activity, c.id)));
        if let Some(after) = q.cursor {
            let at = all.iter().position(|c| c.id.to_string() == after);
            let at = at.ok_or(ListError::BadCursor)?;
            all.drain(..=at);
        }
        Ok(page(all, q.limit, |c| c.id.to_string()))
    }

    async fn participant_inbox(
        &self,
        viewer: &Caller,
        limit: i32,
        cursor: Option<&str>,
    ) -> Result<Listing<Conversation>, ListError> {
        let mut all: Vec<Conversation> = self.with("participant_inbox", |s| {
            let mine = s.conversations.values();
            mine.filter(|c| c.has_participant(&viewer.account_id) && c.visible_to(viewer))
                .cloned()
                .collect()
        });
        all.sort_by_key(|c| std::cmp::Reverse((c.last_activity, c.id)));
        if let Some(after) = cursor {
            let at = all.iter().position(|c| c.id.to_string() == after);
            all.drain(..=at.ok_or(ListError::BadCursor)?);
        }
        Ok(page(all, limit, |c| c.id.to_string()))
    }

    fn messages_start(
        &self,
        _: &ConversationId,
        from: &MessagesFrom,
    ) -> Result<Option<ResumeAt>, ListError> {
        let before = match from {
            MessagesFrom::Newest => return Ok(None),
            MessagesFrom::Before(id) => *id,
            MessagesFrom::Cursor(text) => text.parse().map_err(|_| ListError::BadCursor)?,
        };
        let at = BTreeMap::from([("before".to_string(), before.to_string())]);
        Ok(Some(ResumeAt(at)))
    }

    async fn messages_page(
        &self,
        conversation: &ConversationId,
        start: Option<ResumeAt>,
        limit: i32,
    ) -> Result<Listing<Message>, StoreError> {
        let before: Option<MessageId> = start
            .and_then(|s| s.0.get("before").cloned())
            .and_then(|b| b.parse().ok());
        let mut all: Vec<Message> = self.with("messages_page", |s| {
            let in_conversation = s.messages.iter().filter(|((c, _), _)| c == conversation);
            in_conversation
                .filter(|((_, m), _)| before.is_none_or(|b| *m < b))
                .map(|(_, m)| m.clone())
                .collect()
        });
        all.reverse();
        Ok(page(all, limit, |m| m.id.to_string()))
    }

    async fn message(
        &self,
        conversation: &ConversationId,
        id: &MessageId,
    ) -> Result<Option<Message>, StoreError> {
        Ok(self.with("message", |s| {
            s.messages.get(&(*conversation, *id)).cloned()
        }))
    }

    async fn first_receipts_from(
        &self,
        conversation: &ConversationId,
        message: &MessageId,
        readers: &[AccountId],
    ) -> Result<Vec<Receipt>, StoreError> {
        let mut found: Vec<Receipt> = self.with("first_receipts_from", |s| {
            let mine = s.receipts.iter().filter(|(c, r)| {
                c == conversation && r.through >= *message && readers.contains(&r.reader)
            });
            mine.map(|(_, r)| r.clone()).collect()
        });
        found.sort_by_key(|r| (r.through, r.reader));
        let mut seen = std::collections::BTreeSet::new();
        found.retain(|r| seen.insert(r.reader));
        Ok(found)
    }

    async fn sender_names(
        &self,
        _: &OrgId,
        senders: &[SenderId],
    ) -> Result<BTreeMap<SenderId, String>, StoreError> {
        Ok(self.with("sender_names", |s| {
            let known = senders
                .iter()
                .filter_map(|a| s.names.get(a).map(|n| (*a, n.clone())));
            known.collect()
        }))
    }

    async fn audit_read(
        &self,
        event: &AuditEvent<'_>,
        _: Option<&SessionProof>,
        _: i64,
    ) -> Result<(), StoreError> {
        self.with("audit_read", |s| s.audits.push(event.action));
        Ok(())
    }
}

/// A practice's staff member and a patient in an active secure conversation, on the fake
/// store and a manual clock: the starting point of the use cases' tests.
pub struct Scene {
    pub store: FakeStore,
    pub clock: crate::ports::ManualClock,
    pub staff: Caller,
    pub patient: Caller,
    pub id: ConversationId,
}

impl Scene {
    pub fn new() -> Self {
        use crate::conversations::ParticipantRef;
        use crate::conversations::{ConversationKind, NewConversation, ParticipantKind};
        use crate::domain::ids::OrgId;
        use crate::domain::role::Role;
        let org = OrgId::generate();
        let staff = Caller {
            account_id: AccountId::generate(),
            role: Role::Owner,
            org_id: Some(org),
            visible_links: vec![],
        };
        let patient = Caller {
            account_id: AccountId::generate(),
            role: Role::Patient,
            org_id: None,
            visible_links: vec![],
        };
        let conversation = Conversation::new(
            NewConversation {
                id: ConversationId::generate_secure(),
                org_id: org,
                kind: ConversationKind::Secure,
                subject: None,
                tags: vec![],
                state: ConversationState::Active,
                identity: None,
                contact_match: None,
                link_id: None,
                contact_ids: vec![],
                channel: None,
                participants: vec![ParticipantRef {
                    id: patient.account_id,
                    kind: ParticipantKind::Patient,
                    name: "Pat".into(),
                }],
                created_by: Some(staff.account_id),
            },
            1_000,
        );
        let store = FakeStore::default();
        let id = conversation.id;
        store.insert(conversation);
        Self {
            store,
            clock: crate::ports::ManualClock::new(2_000),
            staff,
            patient,
            id,
        }
    }

    pub fn cx<'a>(&'a self, who: &'a Caller) -> super::Context<'a> {
        super::Context {
            caller: who,
            request_id: "req-test",
            clock: &self.clock,
            proof: None,
        }
    }
}
