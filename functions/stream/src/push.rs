//! The consumer's pushes: for each (recipient, conversation) only the batch's newest
//! message, through `canopy_shared::notifications::push` (coalescing, claim, devices).

use crate::changes::Change;
use crate::notify::Item;
use canopy_shared::domain::ids::{AccountId, ConversationId, OrgId};
use canopy_shared::notifications::model::{ConversationFacts, NewMessage, PracticeFacts};
use canopy_shared::notifications::push::{push_to, recipients, Pushed};
use canopy_shared::App;
use futures::future::join_all;
use std::collections::{BTreeSet, HashMap};

pub async fn send(
    app: &App,
    items: &[Item],
    facts: &HashMap<ConversationId, ConversationFacts>,
    practices: &HashMap<OrgId, PracticeFacts>,
    now_ms: i64,
) -> BTreeSet<usize> {
    let mut newest: HashMap<(AccountId, ConversationId), (usize, NewMessage)> = HashMap::new();
    for (i, s) in items {
        let Change::Message {
            conversation,
            message,
            sender,
            sent_at,
        } = &s.change
        else {
            continue;
        };
        let Some(f) = facts.get(conversation) else {
            continue;
        };
        let new = NewMessage {
            conversation: *conversation,
            message: *message,
            sender: *sender,
            sent_at: *sent_at,
        };
        for r in recipients(f, &new) {
            newest.insert((r, *conversation), (*i, new.clone()));
        }
    }
    let pushes = newest
        .iter()
        .filter_map(|((recipient, conversation), (i, message))| {
            let f = facts.get(conversation)?;
            let practice = practices.get(&f.org)?;
            Some(async move {
                let result = push_to(
                    &app.store,
                    app.push.as_ref(),
                    f,
                    practice,
                    message,
                    recipient,
                    now_ms,
                )
                .await;
                (*i, message, result)
            })
        });
    let mut failed = BTreeSet::new();
    for (i, message, result) in join_all(pushes).await {
        match result {
            Ok(Pushed::Sent(devices)) => {
                tracing::info!(message_id = %message.message, devices, "push sent")
            }
            Ok(Pushed::Coalesced) => {}
            Err(e) => {
                tracing::warn!(message_id = %message.message, error = %e, "push will be retried");
                failed.insert(i);
            }
        }
    }
    failed
}
