//! [`NotifyStore`] on the single table: each participant's notification state
//! `CONV#c` / `N#a` (last push; the unread run's reminder, on GSI3 `REMIND#DUE` while it
//! waits), and the reads a push or a reminder needs (conversation metas, practices,
//! profiles, SMS opt-outs), each through a small struct of only the fields it uses.

use super::{batch_get, bool_av, from_item, key, keys, n, s, Dynamo, Expr, Item, StoreError};
use crate::domain::contact_info::{EmailAddress, PhoneNumber};
use crate::domain::ids::{AccountId, ConversationId, MessageId, OrgId};
use crate::notifications::model::{
    ConversationFacts, DueReminder, ParticipantRole, PracticeFacts, Recipient, ReminderSetting,
    DEFAULT_REMINDER_MINUTES,
};
use crate::ports::notifications::NotifyStore;
use async_trait::async_trait;
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};

#[derive(Deserialize)]
struct MetaFacts {
    id: ConversationId,
    org_id: OrgId,
    kind: String,
    #[serde(default)]
    participants: Vec<ParticipantFact>,
    #[serde(default)]
    reads: BTreeMap<String, ReadAt>,
}

#[derive(Deserialize)]
struct ParticipantFact {
    id: AccountId,
    kind: ParticipantRole,
}

#[derive(Deserialize)]
struct ReadAt {
    at: i64,
}

fn default_reminder_minutes() -> Option<u32> {
    Some(DEFAULT_REMINDER_MINUTES)
}

/// The practice's meta: its name and `unread_reminder_minutes` (absent: the default;
/// NULL: never).
#[derive(Deserialize)]
struct OrgFacts {
    id: OrgId,
    name: String,
    #[serde(default = "default_reminder_minutes")]
    unread_reminder_minutes: Option<u32>,
}

#[derive(Deserialize)]
struct ProfileFacts {
    #[serde(default)]
    phone: Option<PhoneNumber>,
    #[serde(default)]
    email: Option<EmailAddress>,
}

#[derive(Deserialize)]
struct ThreadFacts {
    #[serde(default)]
    opted_out: bool,
}

#[derive(Deserialize)]
struct DueItem {
    conversation_id: ConversationId,
    account_id: AccountId,
    remind_org: OrgId,
    remind_due: i64,
}

fn notify_key(conversation: &ConversationId, account: &AccountId) -> Item {
    key(
        keys::conversation_pk(conversation),
        keys::notify_sk(account),
    )
}

impl Dynamo {
    async fn get_raw(&self, key: Item) -> Result<Option<Item>, StoreError> {
        let out = self
            .client()
            .get_item()
            .table_name(self.table())
            .set_key(Some(key))
            .send()
            .await?;
        Ok(out.item)
    }
}

/// Placeholders every reminder update uses: the item's ids, and `remind_due = :due`.
fn reminder_expr(r: &DueReminder) -> Expr {
    let mut e = Expr::new("#due = :due");
    e.name("#due", "remind_due")
        .name("#g3pk", "gsi3pk")
        .name("#g3sk", "gsi3sk")
        .value(":due", n(r.due_ms));
    e
}

fn index_values(e: &mut Expr, r: &DueReminder) {
    e.value(":dpk", s(keys::REMINDERS_DUE_PK)).value(
        ":dsk",
        s(keys::reminder_due_sk(r.due_ms, &r.conversation, &r.account)),
    );
}

#[async_trait]
impl NotifyStore for Dynamo {
    async fn conversations(
        &self,
        ids: &[ConversationId],
    ) -> Result<HashMap<ConversationId, ConversationFacts>, StoreError> {
        let keys = ids
            .iter()
            .map(|c| key(keys::conversation_pk(c), keys::CONVERSATION_META_SK))
            .collect();
        let mut facts = HashMap::new();
        for item in batch_get(self.client(), self.table(), keys, false).await? {
            let m: MetaFacts = from_item(item)?;
            let read_at = m
                .reads
                .into_iter()
                .filter_map(|(a, r)| a.parse().ok().map(|a: AccountId| (a, r.at)))
                .collect();
            facts.insert(
                m.id,
                ConversationFacts {
                    id: m.id,
                    org: m.org_id,
                    secure: m.kind == "secure",
                    participants: m.participants.into_iter().map(|p| (p.id, p.kind)).collect(),
                    read_at,
                },
            );
        }
        Ok(facts)
    }

    async fn practices(&self, ids: &[OrgId]) -> Result<HashMap<OrgId, PracticeFacts>, StoreError> {
        let keys = ids
            .iter()
            .map(|o| key(keys::org_pk(o), keys::ORG_META_SK))
            .collect();
        let mut facts = HashMap::new();
        for item in batch_get(self.client(), self.table(), keys, false).await? {
            let o: OrgFacts = from_item(item)?;
            let reminders = match o.unread_reminder_minutes {
                Some(m) => ReminderSetting::After(m),
                None => ReminderSetting::Never,
            };
            facts.insert(
                o.id,
                PracticeFacts {
                    id: o.id,
                    name: o.name,
                    reminders,
                },
            );
        }
        Ok(facts)
    }

    async fn claim_push(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
        message: &MessageId,
        threshold_ms: i64,
        now_ms: i64,
    ) -> Result<bool, StoreError> {
        let mut e =
            Expr::new("attribute_not_exists(#at) OR #at < :t OR (#msg = :m AND #sent = :false)");
        e.name("#at", "push_at")
            .name("#msg", "push_message_id")
            .name("#sent", "push_sent")
            .value(":t", n(threshold_ms))
            .value(":m", s(message.to_string()))
            .value(":false", bool_av(false))
            .value(":now", n(now_ms));
        self.update_if(
            notify_key(conversation, account),
            "SET #at = :now, #msg = :m, #sent = :false",
            e,
        )
        .await
    }

    async fn push_sent(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
        message: &MessageId,
    ) -> Result<(), StoreError> {
        let mut e = Expr::new("#msg = :m");
        e.name("#msg", "push_message_id")
            .name("#sent", "push_sent")
            .value(":m", s(message.to_string()))
            .value(":true", bool_av(true));
        self.update_if(notify_key(conversation, account), "SET #sent = :true", e)
            .await
            .map(|_| ())
    }

    async fn schedule_reminder(&self, r: &DueReminder) -> Result<bool, StoreError> {
        let mut e = reminder_expr(r);
        e.text = "attribute_not_exists(#due)".into();
        e.name("#org", "remind_org")
            .name("#conv", "conversation_id")
            .name("#acct", "account_id")
            .value(":org", s(r.org.to_string()))
            .value(":conv", s(r.conversation.to_string()))
            .value(":acct", s(r.account.to_string()));
        index_values(&mut e, r);
        self.update_if(
            notify_key(&r.conversation, &r.account),
            "SET #due = :due, #org = :org, #conv = :conv, #acct = :acct, #g3pk = :dpk, #g3sk = :dsk",
            e,
        )
        .await
    }

    async fn reset_reminder(
        &self,
        conversation: &ConversationId,
        account: &AccountId,
    ) -> Result<(), StoreError> {
        let mut e = Expr::new("attribute_exists(#due)");
        e.name("#due", "remind_due")
            .name("#g3pk", "gsi3pk")
            .name("#g3sk", "gsi3sk")
            .name("#at", "reminded_at")
            .name("#out", "remind_outcome");
        self.update_if(
            notify_key(conversation, account),
            "REMOVE #due, #g3pk, #g3sk, #at, #out",
            e,
        )
        .await
        .map(|_| ())
    }

    async fn due_reminders(&self, now_ms: i64, limit: i32) -> Result<Vec<DueReminder>, StoreError> {
        super::due_index::due_items(self, keys::REMINDERS_DUE_PK, now_ms, limit)
            .await?
            .into_iter()
            .map(|i| {
                from_item::<DueItem>(i).map(|d| DueReminder {
                    conversation: d.conversation_id,
                    account: d.account_id,
                    org: d.remind_org,
                    due_ms: d.remind_due,
                })
            })
            .collect()
    }

    async fn claim_reminder(&self, r: &DueReminder, now_ms: i64) -> Result<bool, StoreError> {
        let mut e = reminder_expr(r);
        e.and("attribute_exists(#g3pk)")
            .name("#at", "reminded_at")
            .value(":now", n(now_ms));
        self.update_if(
            notify_key(&r.conversation, &r.account),
            "SET #at = :now REMOVE #g3pk, #g3sk",
            e,
        )
        .await
    }

    async fn finish_reminder(
        &self,
        r: &DueReminder,
        outcome: &'static str,
    ) -> Result<(), StoreError> {
        let mut e = reminder_expr(r);
        e.names.retain(|k, _| k == "#due");
        e.name("#out", "remind_outcome").value(":out", s(outcome));
        self.update_if(
            notify_key(&r.conversation, &r.account),
            "SET #out = :out",
            e,
        )
        .await
        .map(|_| ())
    }

    async fn release_reminder(&self, r: &DueReminder) -> Result<(), StoreError> {
        let mut e = reminder_expr(r);
        e.and("attribute_not_exists(#out)")
            .name("#out", "remind_outcome")
            .name("#at", "reminded_at");
        index_values(&mut e, r);
        self.update_if(
            notify_key(&r.conversation, &r.account),
            "SET #g3pk = :dpk, #g3sk = :dsk REMOVE #at",
            e,
        )
        .await
        .map(|_| ())
    }

    async fn recipient(&self, account: &AccountId) -> Result<Option<Recipient>, StoreError> {
        let item = self
            .get_raw(key(keys::account_pk(account), keys::PROFILE_SK))
            .await?;
        Ok(item
            .map(from_item::<ProfileFacts>)
            .transpose()?
            .map(|p| Recipient {
                phone: p.phone,
                email: p.email,
            }))
    }

    async fn sms_opted_out(&self, org: &OrgId, phone: &PhoneNumber) -> Result<bool, StoreError> {
        let item = self
            .get_raw(key(
                keys::thread_pk(org, "sms", phone.as_str()),
                keys::THREAD_SK,
            ))
            .await?;
        Ok(item
            .map(from_item::<ThreadFacts>)
            .transpose()?
            .is_some_and(|t| t.opted_out))
    }
}
