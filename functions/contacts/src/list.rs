//! `GET /v1/contacts?q=&limit=&cursor=`: prefix search of the practice's address book, one
//! Query on the index the shape of `q` picks (see `contacts::search_plan`): name (GSI1,
//! also the alphabetical list when `q` is absent), phone (GSI2) or email (GSI3).

use canopy_shared::adapters::dynamo::{self, cursor, keys, s, StoreError};
use canopy_shared::contacts::{search_plan, ContactItem};
use canopy_shared::http::{
    json, page_limit, query_param, request::request_id, ApiError, Caller, HttpResult, Page,
};
use canopy_shared::services::audit::{self, AuditEvent};
use canopy_shared::App;
use lambda_http::Request;

pub async fn handle(app: &App, req: &Request) -> HttpResult {
    let caller = Caller::from_request(req)?;
    let org = caller.staff_org()?;
    let limit = page_limit(req)?;
    let q = query_param(req, "q");
    if q.is_some_and(|q| q.chars().count() > 254) {
        return Err(ApiError::invalid("q", "at most 254 characters"));
    }
    let plan = search_plan(q);
    let partition = keys::contact_search_pk(&org);
    let start = query_param(req, "cursor")
        .map(|c| cursor::decode(c, plan.pk_attr, &partition, &plan.prefix))
        .transpose()
        .map_err(|e| ApiError::invalid("cursor", e))?;
    let query = app
        .db
        .query()
        .table_name(app.table())
        .index_name(plan.index)
        .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
        .expression_attribute_names("#pk", plan.pk_attr)
        .expression_attribute_names("#sk", plan.sk_attr)
        .expression_attribute_values(":pk", s(partition.clone()))
        .expression_attribute_values(":prefix", s(plan.prefix.clone()))
        .limit(limit)
        .set_exclusive_start_key(start)
        .send();
    let request_id = request_id(req);
    let event = AuditEvent {
        actor: Some(&caller.account_id),
        role: Some(caller.role),
        org: Some(&org),
        action: "contact.search",
        targets: vec![],
        request_id: &request_id,
        outcome: "ok",
    };
    let (page, audited) = tokio::join!(query, audit::record(app, &event));
    audited?;
    let page = page.map_err(StoreError::from)?;
    let items: Vec<ContactItem> = dynamo::from_items(page.items.unwrap_or_default())?;
    json(
        200,
        &Page {
            items: items.iter().map(ContactItem::view).collect(),
            next_cursor: page.last_evaluated_key.as_ref().map(cursor::encode),
        },
    )
}
