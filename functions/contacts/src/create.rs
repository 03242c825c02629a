//! `POST /v1/contacts`: staff add a patient to the practice's address book. Duplicates are
//! allowed (families share numbers); search shows them side by side.

use canopy_shared::adapters::dynamo::{put, to_item, StoreError};
use canopy_shared::contacts::ContactItem;
use canopy_shared::domain::contact_info::{DisplayName, EmailAddress, PhoneNumber};
use canopy_shared::domain::ids::ContactId;
use canopy_shared::http::{json, json_body, request::request_id, ApiError, Caller, HttpResult};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    name: String,
    phone: Option<String>,
    email: Option<String>,
}

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let body: Body = json_body(req)?;
    let name = DisplayName::parse(&body.name).map_err(|e| ApiError::invalid("name", e))?;
    let phone = body
        .phone
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(PhoneNumber::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("phone", e))?;
    let email = body
        .email
        .as_deref()
        .filter(|e| !e.trim().is_empty())
        .map(EmailAddress::parse)
        .transpose()
        .map_err(|e| ApiError::invalid("email", e))?;
    if phone.is_none() && email.is_none() {
        return Err(ApiError::invalid(
            "phone",
            "give a phone number or an email",
        ));
    }
    let contact = ContactItem::new(
        &org,
        ContactId::generate(),
        name,
        phone,
        email,
        app.now_ms(),
    );
    let writes = vec![
        put(
            app.table(),
            to_item(&contact)?,
            Some("attribute_not_exists(pk)"),
        )?,
        audit::in_transaction(
            app,
            &AuditEvent {
                actor: Some(&caller.account_id),
                role: Some(caller.role),
                org: Some(&org),
                action: "contact.create",
                targets: vec![contact.id.to_string()],
                request_id: &request_id(req),
                outcome: "ok",
            },
        )?,
    ];
    app.db
        .transact_write_items()
        .set_transact_items(Some(writes))
        .send()
        .await
        .map_err(StoreError::from)?;
    json(201, &contact.view())
}
