//! Inbox pages.
//!
//! Staff: one Query per page on GSI1 `ORG#o#INBOX` (or GSI2 `LINK#l#INBOX`), newest
//! activity first, filtered to what the viewer sees (`access::inbox_filter`) and `?tag=`.
//! A window the filter hid entirely is read past (at most 5 Queries), so a page is empty
//! only at the end; normally it is the one Query.
//!
//! Participants: one Query per page on their rows (GSI1 `ACCT#a#INBOX`, newest activity
//! first). A post does not touch the rows (it would have to read the roster first): the
//! table's stream consumer copies each meta change onto every participant's row (activity,
//! counters, subject, state; `functions/stream`, `canopy_shared::sync`), so a row lags its
//! meta by the stream's delay (about a second).

use super::access::inbox_filter;
use super::items::{ConversationItem, ParticipantItem};
use crate::adapters::dynamo::cursor::{KeyView, Shape};
use crate::adapters::dynamo::{self, cursor, keys, s, Dynamo, Expr, Item, StoreError};
use crate::conversations::Conversation;
use crate::domain::caller::Caller;
use crate::domain::ids::ConversationId;
use crate::ports::conversations::{InboxScope, ListError, Listing, StaffInboxQuery};

/// Queries of a staff inbox page, at most (when the filter hides whole windows).
const MAX_WINDOWS: usize = 5;

fn bad_cursor(_: cursor::BadCursor) -> ListError {
    ListError::BadCursor
}

/// The conversation an inbox sort key ([`keys::activity_sk`]) names, when it has exactly
/// that form.
fn activity_conversation(sort: &str) -> Option<ConversationId> {
    let (activity, conversation) = sort.split_once('#')?;
    let conversation: ConversationId = conversation.parse().ok()?;
    let canonical = activity.len() == 13
        && activity.bytes().all(|b| b.is_ascii_digit())
        && keys::activity_sk(activity.parse().ok()?, &conversation) == sort;
    canonical.then_some(conversation)
}

/// A staff inbox cursor: a conversation meta on the inbox index.
fn is_meta_key(key: &KeyView<'_>) -> bool {
    activity_conversation(key.sort).is_some_and(|c| {
        key.pk == keys::conversation_pk(&c) && key.sk == keys::CONVERSATION_META_SK
    })
}

impl Dynamo {
    pub(super) async fn staff_inbox_page(
        &self,
        q: &StaffInboxQuery<'_>,
    ) -> Result<Listing<Conversation>, ListError> {
        let mut e = Expr::default();
        let (index, pk_attr, partition) = match &q.scope {
            InboxScope::Link(link) => (keys::GSI2, "gsi2pk", keys::link_inbox_pk(link)),
            InboxScope::Practice(org) => {
                inbox_filter(&mut e, q.viewer);
                (keys::GSI1, "gsi1pk", keys::org_inbox_pk(org))
            }
        };
        if let Some(tag) = q.tag {
            e.name("#tags", "tags")
                .value(":tag", s(tag))
                .and("contains(#tags, :tag)");
        }
        let mut start = q
            .cursor
            .map(|c| {
                let shape = Shape {
                    partition_attr: pk_attr,
                    partition: &partition,
                    valid: &is_meta_key,
                };
                cursor::decode(c, &shape).map_err(bad_cursor)
            })
            .transpose()?;
        e.name("#ipk", pk_attr).value(":ipk", s(partition));
        let mut windows = 0;
        let page = loop {
            let page = self
                .client()
                .query()
                .table_name(self.table())
                .index_name(index)
                .key_condition_expression("#ipk = :ipk")
                .set_filter_expression(e.text_opt())
                .set_expression_attribute_names(e.names_opt())
                .set_expression_attribute_values(e.values_opt())
                .scan_index_forward(false)
                .limit(q.limit)
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(StoreError::from)?;
            windows += 1;
            let hidden_window = page.items().is_empty() && page.last_evaluated_key.is_some();
            if !hidden_window || windows >= MAX_WINDOWS {
                break page;
            }
            start = page.last_evaluated_key.clone();
        };
        // DynamoDB's LastEvaluatedKey may be a conversation the filter hid from this viewer
        // (a link they are not a member of): resume from the last conversation shown
        // instead, so a cursor never names a hidden one. Only a page where the filter hid
        // everything falls back to DynamoDB's key.
        let items = page.items.unwrap_or_default();
        let next_cursor = page.last_evaluated_key.as_ref().map(|lek| {
            let index_sk = pk_attr.replacen("pk", "sk", 1);
            let shown = items.last().map(|last| {
                [pk_attr, index_sk.as_str(), "pk", "sk"]
                    .iter()
                    .filter_map(|k| last.get(*k).map(|v| (k.to_string(), v.clone())))
                    .collect::<Item>()
            });
            cursor::encode(shown.as_ref().unwrap_or(lek))
        });
        let metas: Vec<ConversationItem> = dynamo::from_items(items)?;
        Ok(Listing {
            items: metas
                .into_iter()
                .map(ConversationItem::into_model)
                .collect(),
            next_cursor,
        })
    }

    pub(super) async fn participant_inbox_page(
        &self,
        viewer: &Caller,
        limit: i32,
        cursor_text: Option<&str>,
    ) -> Result<Listing<Conversation>, ListError> {
        let partition = keys::account_inbox_pk(&viewer.account_id);
        // A participant inbox cursor: this viewer's own row of a conversation.
        let own_row = |key: &KeyView<'_>| {
            activity_conversation(key.sort).is_some_and(|c| {
                key.pk == keys::conversation_pk(&c)
                    && key.sk == keys::participant_sk(&viewer.account_id)
            })
        };
        let shape = Shape {
            partition_attr: "gsi1pk",
            partition: &partition,
            valid: &own_row,
        };
        let start = cursor_text
            .map(|c| cursor::decode(c, &shape).map_err(bad_cursor))
            .transpose()?;
        let page = self
            .client()
            .query()
            .table_name(self.table())
            .index_name(keys::GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", "gsi1pk")
            .expression_attribute_values(":pk", s(partition))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(StoreError::from)?;
        let next_cursor = page.last_evaluated_key.as_ref().map(cursor::encode);
        let rows: Vec<ParticipantItem> = dynamo::from_items(page.items.unwrap_or_default())?;
        Ok(Listing {
            items: rows
                .into_iter()
                .map(ParticipantItem::into_inbox_model)
                .collect(),
            next_cursor,
        })
    }
}
