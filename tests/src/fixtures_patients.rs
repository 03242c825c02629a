//! Patients' fixtures: practice links written straight to the table (no link API in this
//! branch), contacts, invites, and signups driven through the API with codes read from moto.

use crate::fixtures::Staff;
use crate::{moto, Harness};
use canopy_shared::adapters::dynamo::{keys, to_item};
use canopy_shared::domain::ids::{LinkId, OrgId};
use canopy_shared::links::LinkItem;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// A signed-up patient as the verify answer gave it.
#[derive(Debug, Clone)]
pub struct Patient {
    pub token: String,
    pub account_id: String,
    pub org_id: String,
    pub conversation_id: String,
    pub phone: String,
}

impl Harness {
    /// An active practice link of `staff`'s practice with these tags, open to the whole team.
    pub async fn new_link(&self, staff: &Staff, tags: &[&str]) -> LinkItem {
        let org: OrgId = staff.org_id.parse().unwrap();
        let id = LinkId::generate();
        let code = format!(
            "{:06}",
            ulid::Ulid::new().random() % 1_000_000_000 + 1_000_000_000
        );
        let link = LinkItem {
            pk: keys::code_pk(&code),
            sk: keys::CODE_SK.into(),
            gsi1pk: keys::org_links_pk(&org),
            gsi1sk: keys::link_sk(&id),
            id,
            org_id: org,
            code,
            practice_name: "Test Practice".into(),
            label: "Front desk".into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            member_ids: vec![],
            active: true,
            clicks: 0,
            signups: 0,
            daily_clicks: BTreeMap::new(),
            created_at: self.app.now_ms(),
        };
        self.app
            .db
            .put_item()
            .table_name(self.app.table())
            .set_item(Some(to_item(&link).unwrap()))
            .send()
            .await
            .unwrap();
        link
    }

    /// Adds a contact through the API; returns its JSON.
    pub async fn new_contact(
        &self,
        staff: &Staff,
        name: &str,
        phone: Option<&str>,
        email: Option<&str>,
    ) -> Value {
        let reply = self
            .call(
                "POST",
                "/v1/contacts",
                Some(json!({"name": name, "phone": phone, "email": email})),
                Some(&staff.token),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.json()
    }

    /// Signs a patient up through a link code (start + verify with the SMS code).
    pub async fn link_signup(
        &self,
        code: &str,
        name: &str,
        phone: &str,
        email: Option<&str>,
    ) -> Patient {
        let challenge = self
            .signup_start(json!({"name": name, "phone": phone, "email": email, "link_code": code}))
            .await;
        let sms = moto::latest_sms_code(phone).expect("sms code");
        let reply = self
            .call(
                "POST",
                "/v1/signup/verify",
                Some(json!({"challenge_id": challenge, "sms_code": sms})),
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        patient_from(&reply.json(), phone)
    }

    /// `POST /v1/signup/start`, expecting 202; returns the challenge id.
    pub async fn signup_start(&self, body: Value) -> String {
        let reply = self
            .call("POST", "/v1/signup/start", Some(body), None)
            .await;
        assert_eq!(reply.status, 202, "{}", reply.text);
        reply.json()["challenge_id"].as_str().unwrap().to_string()
    }
}

pub fn patient_from(body: &Value, phone: &str) -> Patient {
    Patient {
        token: body["token"].as_str().unwrap().to_string(),
        account_id: body["account"]["id"].as_str().unwrap().to_string(),
        org_id: body["org_id"].as_str().unwrap().to_string(),
        conversation_id: body["conversation_id"].as_str().unwrap().to_string(),
        phone: phone.to_string(),
    }
}

/// The invite token in a text (`…/i/{token}`).
pub fn token_in(text: &str) -> Option<String> {
    let start = text.find("/i/")? + 3;
    text.get(start..start + 43).map(str::to_string)
}

/// The newest invite token texted to `phone`.
pub fn latest_invite_token_sms(phone: &str) -> Option<String> {
    moto::sms_to(phone).iter().rev().find_map(|m| token_in(m))
}
