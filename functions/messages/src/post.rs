//! `POST /v1/conversations/{id}/messages`: one TransactWriteItems on the happy path, with
//! no read before it:
//!
//! | # | item | condition |
//! |---|---|---|
//! | 0 | Put `IDEM#sender#client_message_id` | absent or expired |
//! | 1 | Update `CONV#c`/`#META`: count, last message, preview, inbox sort keys, the sender's own horizon | caller may see it (participant, or staff of the practice who sees its link), active, not read-only, kind as assumed, `last_message_id < :m` |
//! | 2 | Put `M#m` | absent |
//! | 3 | Put the sender's receipt `R#m#sender` | |
//! | 4 | Put the audit item | |
//!
//! A cancelled transaction is explained by reading what failed (only then): item 0 → the
//! stored message (same text) or 422; item 1 → the meta says why (404, 409 `read_only`,
//! 409 `pending_account`, a standard conversation, or a newer message committed first, in
//! which case the post retries with a larger id so ids stay in commit order).
//!
//! Participant rows (`P#a`) are not touched: which rows exist is only known after reading
//! the meta, and the post stays one round trip instead. Inboxes read counts and activity
//! from the meta (see the conversations function).

use crate::tx;
use canopy_shared::adapters::dynamo::{self, keys, n, put, s, to_item, StoreError};
use canopy_shared::conversations::{
    self, access_condition, ConversationItem, ConversationKind, ConversationState, Expr, ReadState,
};
use canopy_shared::domain::ids::{ConversationId, MessageId};
use canopy_shared::http::{
    json, json_body, path_id, request::request_id, ApiError, Caller, HttpResult,
};
use canopy_shared::messages::{
    Delivery, IdempotencyItem, MessageItem, MessageText, ReceiptItem, IDEMPOTENCY_MS,
};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;
use std::sync::Mutex;
use ulid::Ulid;

#[derive(Deserialize)]
struct Body {
    text: String,
    client_message_id: String,
}

/// Bounded: each retry means another writer committed first or the kind was guessed wrong.
const ATTEMPTS: usize = 25;

/// Ids from one process are strictly increasing (ULIDs made in the same millisecond are
/// otherwise random relative to each other).
static IDS: Mutex<Option<ulid::Generator>> = Mutex::new(None);

fn next_id(after: Option<&MessageId>) -> MessageId {
    let generated = IDS
        .lock()
        .ok()
        .and_then(|mut g| g.get_or_insert_with(ulid::Generator::new).generate().ok());
    // Not `unwrap_or_default`: a default Ulid is the nil id.
    let fresh = match generated {
        Some(id) => id,
        None => Ulid::new(),
    };
    match after.and_then(|a| a.ulid().increment()) {
        Some(min) if min > fresh => MessageId::from_ulid(min),
        _ => MessageId::from_ulid(fresh),
    }
}

fn valid_client_id(id: &str) -> bool {
    (1..=100).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
}

struct Post<'a> {
    app: &'a App,
    caller: &'a Caller,
    conversation: ConversationId,
    text: MessageText,
    client_message_id: String,
    request_id: String,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let conversation: ConversationId = path_id(req, "id", "conversation")?;
    let body: Body = json_body(req)?;
    let text = MessageText::parse(body.text).map_err(|e| ApiError::invalid("text", e))?;
    if !valid_client_id(&body.client_message_id) {
        return Err(ApiError::invalid(
            "client_message_id",
            "must be 1-100 characters of letters, digits, '-', '_', '.' or ':'",
        ));
    }
    let post = Post {
        app,
        caller: &caller,
        conversation,
        text,
        client_message_id: body.client_message_id,
        request_id: request_id(req),
    };
    let message = post.run().await?;
    json(201, &message.view())
}

impl Post<'_> {
    async fn run(&self) -> Result<MessageItem, ApiError> {
        let mut id = next_id(None);
        let mut kind = ConversationKind::Secure;
        for _ in 0..ATTEMPTS {
            let message = self.message(id, kind);
            match tx::send(self.app, self.writes(&message, kind)?).await {
                Ok(()) => return Ok(message),
                Err(err) if err.failed_at(0) => {
                    if let Some(stored) = self.replay().await? {
                        return Ok(stored);
                    }
                    // The record expired between the write and the read: try again.
                }
                Err(err) if err.failed_at(1) => {
                    let meta = conversations::get(self.app, &self.conversation)
                        .await?
                        .filter(|m| conversations::visible_to(m, self.caller))
                        .ok_or_else(|| ApiError::not_found("conversation"))?;
                    refuse_if_closed(&meta)?;
                    kind = meta.kind;
                    id = next_id(meta.last_message_id.as_ref());
                }
                Err(err) if err.failed_at(2) => id = next_id(Some(&id)),
                Err(err) => return Err(err.into()),
            }
        }
        Err(ApiError::unavailable())
    }

    fn message(&self, id: MessageId, kind: ConversationKind) -> MessageItem {
        MessageItem {
            pk: keys::conversation_pk(&self.conversation),
            sk: keys::message_sk(&id),
            id,
            conversation_id: self.conversation,
            sender_id: self.caller.account_id,
            text: self.text.as_str().to_string(),
            client_message_id: self.client_message_id.clone(),
            sent_at: self.app.now_ms(),
            delivery: (kind == ConversationKind::Standard).then_some(Delivery::Pending),
        }
    }

    fn idempotency_pk(&self) -> String {
        keys::idempotency_pk(&self.caller.account_id, &self.client_message_id)
    }

    fn writes(
        &self,
        message: &MessageItem,
        kind: ConversationKind,
    ) -> Result<Vec<aws_sdk_dynamodb::types::TransactWriteItem>, StoreError> {
        let app = self.app;
        let now = message.sent_at;
        let idem = IdempotencyItem {
            pk: self.idempotency_pk(),
            sk: keys::IDEMPOTENCY_SK.into(),
            conversation_id: self.conversation,
            message_id: message.id,
            request_hash: self.text.request_hash(&self.conversation),
            sent_at: now,
            delivery: message.delivery,
            expires_at: now + IDEMPOTENCY_MS,
            ttl: (now + IDEMPOTENCY_MS) / 1000,
        };
        let idem_put = {
            let put = aws_sdk_dynamodb::types::Put::builder()
                .table_name(app.table())
                .set_item(Some(to_item(&idem)?))
                .condition_expression("attribute_not_exists(#pk) OR #exp < :now")
                .expression_attribute_names("#pk", "pk")
                .expression_attribute_names("#exp", "expires_at")
                .expression_attribute_values(":now", n(now))
                .build()
                .map_err(|e| StoreError::Other(e.to_string()))?;
            aws_sdk_dynamodb::types::TransactWriteItem::builder()
                .put(put)
                .build()
        };

        let me = self.caller.account_id.to_string();
        let mut e = Expr::default();
        access_condition(&mut e, self.caller);
        e.name("#pk", "pk")
            .name("#state", "state")
            .name("#ro", "read_only")
            .name("#kind", "kind")
            .name("#last", "last_message_id")
            .name("#mc", "message_count")
            .name("#lmat", "last_message_at")
            .name("#act", "last_activity")
            .name("#preview", "preview")
            .name("#g1sk", "gsi1sk")
            .name("#g2sk", "gsi2sk")
            .name("#reads", "reads")
            .name("#rcs", "read_counts")
            .name("#me_k", &me)
            .value(":active", tx::av(&ConversationState::Active)?)
            .value(":false", dynamo::bool_av(false))
            .value(":kind", tx::av(&kind)?)
            .value(":null_type", s("NULL"))
            .value(":m", s(message.id.to_string()))
            .value(":zero", n(0))
            .value(":one", n(1))
            .value(":now", n(now))
            .value(":preview", s(self.text.preview()))
            .value(":act_sk", s(keys::activity_sk(now, &self.conversation)))
            .value(
                ":st",
                tx::av(&ReadState {
                    through: message.id,
                    count: 0,
                    at: now,
                })?,
            );
        e.and("attribute_exists(#pk) AND #state = :active AND #ro = :false AND #kind = :kind")
            .and("attribute_not_exists(#last) OR attribute_type(#last, :null_type) OR #last < :m");
        let meta = tx::update(
            app.table(),
            ConversationItem::key_for(&self.conversation),
            "SET #mc = if_not_exists(#mc, :zero) + :one, #last = :m, #lmat = :now, \
             #act = :now, #preview = :preview, #g1sk = :act_sk, #g2sk = :act_sk, \
             #reads.#me_k = :st, #rcs.#me_k = if_not_exists(#mc, :zero) + :one",
            &e,
        )?;

        let receipt = ReceiptItem {
            pk: keys::conversation_pk(&self.conversation),
            sk: keys::receipt_sk(&message.id, &self.caller.account_id),
            reader: self.caller.account_id,
            from: None,
            through: message.id,
            at: now,
        };
        Ok(vec![
            idem_put,
            meta,
            put(
                app.table(),
                to_item(message)?,
                Some("attribute_not_exists(pk)"),
            )?,
            put(app.table(), to_item(&receipt)?, None)?,
            audit::in_transaction(
                app,
                &AuditEvent {
                    actor: Some(&self.caller.account_id),
                    role: Some(self.caller.role),
                    org: self.caller.org_id.as_ref(),
                    action: "message.post",
                    targets: vec![self.conversation.to_string(), message.id.to_string()],
                    request_id: &self.request_id,
                    outcome: "ok",
                },
            )?,
        ])
    }

    /// The message a previous post with this `client_message_id` stored, or 422 when that
    /// post had another text (or conversation); None if the record has expired.
    async fn replay(&self) -> Result<Option<MessageItem>, ApiError> {
        let out = self
            .app
            .db
            .get_item()
            .table_name(self.app.table())
            .set_key(Some(dynamo::key(
                self.idempotency_pk(),
                keys::IDEMPOTENCY_SK,
            )))
            .consistent_read(true)
            .send()
            .await
            .map_err(StoreError::from)?;
        let Some(item) = out.item else {
            return Ok(None);
        };
        let stored: IdempotencyItem = dynamo::from_item(item)?;
        if stored.expires_at <= self.app.now_ms() {
            return Ok(None);
        }
        if stored.request_hash != self.text.request_hash(&self.conversation) {
            return Err(ApiError::new(
                422,
                "idempotency_key_reused",
                "client_message_id was already used for a different message.",
            ));
        }
        Ok(Some(MessageItem {
            pk: keys::conversation_pk(&stored.conversation_id),
            sk: keys::message_sk(&stored.message_id),
            id: stored.message_id,
            conversation_id: stored.conversation_id,
            sender_id: self.caller.account_id,
            text: self.text.as_str().to_string(),
            client_message_id: self.client_message_id.clone(),
            sent_at: stored.sent_at,
            delivery: stored.delivery,
        }))
    }
}

/// 409s for conversations nobody may post in right now.
fn refuse_if_closed(meta: &ConversationItem) -> Result<(), ApiError> {
    if meta.state == ConversationState::PendingAccount {
        return Err(ApiError::conflict(
            "pending_account",
            "The patient has not created an account yet.",
        ));
    }
    if meta.read_only {
        return Err(ApiError::conflict(
            "read_only",
            "The conversation is read-only.",
        ));
    }
    Ok(())
}
