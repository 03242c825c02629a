//! Ready-made actors: practices with signed-in owners, teammates, random contact details.

use crate::{moto, Harness};
use serde_json::json;

/// A fresh, valid US mobile number in E.164 (random, so tests never share a send budget).
pub fn random_phone() -> String {
    let n = ulid::Ulid::new().random();
    let exchange = 200 + (n % 800) as u32;
    let line = ((n >> 16) % 10_000) as u32;
    format!("+1202{exchange:03}{line:04}")
}

/// A fresh email address.
pub fn random_email(who: &str) -> String {
    format!(
        "{who}.{}@example.com",
        ulid::Ulid::new().to_string().to_lowercase()
    )
}

/// A signed-in staff member.
#[derive(Debug, Clone)]
pub struct Staff {
    pub token: String,
    pub account_id: String,
    pub org_id: String,
    pub email: String,
}

impl Harness {
    /// Signs a new practice up through the API (code read from moto) and returns its owner.
    pub async fn new_practice(&self, name: &str) -> Staff {
        let email = random_email("owner");
        let started = self
            .call(
                "POST",
                "/v1/orgs",
                Some(
                    json!({"practice_name": name, "owner_name": "Dr. Owner", "owner_email": email}),
                ),
                None,
            )
            .await;
        assert_eq!(started.status, 202, "{}", started.text);
        let challenge = started.json()["challenge_id"].as_str().unwrap().to_string();
        let code = moto::latest_email_code(&email).expect("code emailed");
        let verified = self
            .call(
                "POST",
                "/v1/auth/verify",
                Some(json!({"challenge_id": challenge, "code": code})),
                None,
            )
            .await;
        assert_eq!(verified.status, 200, "{}", verified.text);
        let body = verified.json();
        Staff {
            token: body["token"].as_str().unwrap().to_string(),
            account_id: body["account"]["id"].as_str().unwrap().to_string(),
            org_id: body["account"]["org_id"].as_str().unwrap().to_string(),
            email,
        }
    }

    /// Adds a teammate with `role` ("admin" or "member") and signs them in.
    pub async fn new_teammate(&self, owner: &Staff, role: &str) -> Staff {
        let email = random_email(role);
        let added = self
            .call(
                "POST",
                "/v1/members",
                Some(json!({"name": "Teammate", "email": email, "role": role})),
                Some(&owner.token),
            )
            .await;
        assert_eq!(added.status, 201, "{}", added.text);
        let token = self.sign_in_by_email(&email).await;
        Staff {
            token,
            account_id: added.json()["id"].as_str().unwrap().to_string(),
            org_id: owner.org_id.clone(),
            email,
        }
    }

    /// Signs an existing staff account in by email; returns the token.
    pub async fn sign_in_by_email(&self, email: &str) -> String {
        let started = self
            .call(
                "POST",
                "/v1/auth/start",
                Some(json!({"email": email})),
                None,
            )
            .await;
        assert_eq!(started.status, 202, "{}", started.text);
        let challenge = started.json()["challenge_id"].as_str().unwrap().to_string();
        let code = moto::latest_email_code(email).expect("code emailed");
        let verified = self
            .call(
                "POST",
                "/v1/auth/verify",
                Some(json!({"challenge_id": challenge, "code": code})),
                None,
            )
            .await;
        assert_eq!(verified.status, 200, "{}", verified.text);
        verified.json()["token"].as_str().unwrap().to_string()
    }
}
