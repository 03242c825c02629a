//! Actors for the conversation tests: paired patients (written the way pairing will write
//! them, since signup is another area), practice links, conversations and posts through
//! the API, and a way to count the DynamoDB calls a handler makes (the authorizer's own
//! calls, which the in-process router runs on the same client, are left out).

use crate::fixtures::{random_phone, Staff};
use crate::{Harness, Reply};
use aws_sdk_dynamodb::types::TransactWriteItem;
use canopy_shared::adapters::dynamo::{keys, put, to_item};
use canopy_shared::contacts::ContactItem;
use canopy_shared::domain::contact_info::{DisplayName, PhoneNumber};
use canopy_shared::domain::ids::{AccountId, ContactId, LinkId, OrgId};
use canopy_shared::domain::role::Role;
use canopy_shared::links::LinkItem;
use canopy_shared::practice::{AccountItem, AccountKind, LoginItem};
use canopy_shared::services::sessions;
use serde_json::{json, Value};

/// A patient with an account, paired with one practice (a contact of it).
#[derive(Debug, Clone)]
pub struct Patient {
    pub token: String,
    pub account_id: String,
    pub contact_id: String,
    pub org_id: String,
}

impl Harness {
    /// A patient account + phone login + the practice's contact (with `account_id`) + a
    /// session, as patient pairing writes them.
    pub async fn new_patient(&self, practice: &Staff, name: &str) -> Patient {
        let app = &self.app;
        let now = app.now_ms();
        let org: OrgId = practice.org_id.parse().unwrap();
        let account = AccountId::generate();
        let contact = ContactId::generate();
        let phone = PhoneNumber::parse(&random_phone()).unwrap();
        let name = DisplayName::parse(name).unwrap();
        let profile = AccountItem {
            pk: keys::account_pk(&account),
            sk: keys::PROFILE_SK.into(),
            id: account,
            kind: AccountKind::Patient,
            name: name.clone(),
            email: None,
            phone: Some(phone.clone()),
            org_id: None,
            created_at: now,
        };
        let login = LoginItem {
            pk: keys::patient_phone_login_pk(&phone),
            sk: keys::LOGIN_SK.into(),
            account_id: account,
        };
        let item = ContactItem {
            pk: keys::org_pk(&org),
            sk: keys::contact_sk(&contact),
            id: contact,
            org_id: org,
            name,
            phone: Some(phone),
            email: None,
            account_id: Some(account),
            invited_at: None,
            conversation_ids: vec![],
            created_at: now,
            gsi1pk: None,
            gsi1sk: None,
            gsi2pk: None,
            gsi2sk: None,
            gsi3pk: None,
            gsi3sk: None,
        };
        let (token, session) = sessions::issue(app, &account, Role::Patient, None).unwrap();
        let writes: Vec<TransactWriteItem> = vec![
            put(app.table(), to_item(&profile).unwrap(), None).unwrap(),
            put(app.table(), to_item(&login).unwrap(), None).unwrap(),
            put(app.table(), contact_item(&item), None).unwrap(),
            session,
        ];
        app.db
            .transact_write_items()
            .set_transact_items(Some(writes))
            .send()
            .await
            .expect("patient written");
        Patient {
            token,
            account_id: account.to_string(),
            contact_id: contact.to_string(),
            org_id: practice.org_id.clone(),
        }
    }

    /// A contact of the practice who has no account yet.
    pub async fn new_contact_without_account(&self, practice: &Staff) -> String {
        let org: OrgId = practice.org_id.parse().unwrap();
        let contact = ContactId::generate();
        let item = ContactItem {
            pk: keys::org_pk(&org),
            sk: keys::contact_sk(&contact),
            id: contact,
            org_id: org,
            name: DisplayName::parse("No Account").unwrap(),
            phone: Some(PhoneNumber::parse(&random_phone()).unwrap()),
            email: None,
            account_id: None,
            invited_at: None,
            conversation_ids: vec![],
            created_at: self.app.now_ms(),
            gsi1pk: None,
            gsi1sk: None,
            gsi2pk: None,
            gsi2sk: None,
            gsi3pk: None,
            gsi3sk: None,
        };
        self.app
            .db
            .put_item()
            .table_name(self.app.table())
            .set_item(Some(contact_item(&item)))
            .send()
            .await
            .unwrap();
        contact.to_string()
    }

    /// A practice link (members empty = whole team), written as link management will.
    pub async fn new_routed_link(
        &self,
        practice: &Staff,
        member_ids: &[&str],
        tags: &[&str],
    ) -> String {
        let org: OrgId = practice.org_id.parse().unwrap();
        let id = LinkId::generate();
        let code = format!("{:06}", ulid::Ulid::new().random() % 1_000_000);
        let item = LinkItem {
            pk: keys::code_pk(&code),
            sk: keys::CODE_SK.into(),
            gsi1pk: keys::org_links_pk(&org),
            gsi1sk: keys::link_sk(&id),
            id,
            org_id: org,
            code,
            practice_name: "Practice".into(),
            label: "Front desk".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            member_ids: member_ids.iter().map(|m| m.parse().unwrap()).collect(),
            active: true,
            clicks: 0,
            signups: 0,
            daily_clicks: Default::default(),
            created_at: self.app.now_ms(),
        };
        self.app
            .db
            .put_item()
            .table_name(self.app.table())
            .set_item(Some(to_item(&item).unwrap()))
            .send()
            .await
            .unwrap();
        id.to_string()
    }

    /// Creates a secure conversation through the API; returns its id.
    pub async fn new_conversation(
        &self,
        staff: &Staff,
        participant_ids: &[&str],
        link_id: Option<&str>,
    ) -> String {
        let mut body =
            json!({"kind": "secure", "participant_ids": participant_ids, "subject": "Follow-up"});
        if let Some(l) = link_id {
            body["link_id"] = json!(l);
        }
        let reply = self
            .call("POST", "/v1/conversations", Some(body), Some(&staff.token))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()["id"].as_str().unwrap().to_string()
    }

    pub async fn post_message(
        &self,
        token: &str,
        conversation: &str,
        text: &str,
        client_id: &str,
    ) -> Reply {
        self.call(
            "POST",
            &format!("/v1/conversations/{conversation}/messages"),
            Some(json!({"text": text, "client_message_id": client_id})),
            Some(token),
        )
        .await
    }

    /// The caller's inbox row for `conversation`, if listed.
    pub async fn inbox_row(&self, token: &str, conversation: &str) -> Option<Value> {
        let reply = self
            .call("GET", "/v1/conversations?limit=100", None, Some(token))
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.json()["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["id"] == conversation)
            .cloned()
    }

    /// Runs one API call and returns it with the DynamoDB operations the handler made
    /// (the in-process authorizer's calls are not counted: see `call_counter::uncounted`).
    pub async fn counted(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: &str,
    ) -> (Reply, Vec<String>) {
        self.app.db_calls.reset();
        let reply = self.call(method, path, body, Some(token)).await;
        (reply, self.app.db_calls.operations())
    }
}

/// The contact as an item, without its unset (NULL) index keys, which DynamoDB refuses.
fn contact_item(contact: &ContactItem) -> canopy_shared::adapters::dynamo::Item {
    let mut item = to_item(contact).unwrap();
    item.retain(|_, v| !v.is_null());
    item
}
