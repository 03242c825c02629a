//! The caller's inbox, newest activity first, with the caller's unread counts.
//!
//! Staff: one Query per page of the practice inbox, or of one link's with `link_id` (a
//! link the caller sees); `tag` narrows it. Patients: one Query of their inbox rows, which
//! the stream consumer keeps equal to the metas; `link_id` and `tag` are practice-internal
//! and ignored.
//! An inbox page shows subjects and previews (PHI), so it is audited like any read: the
//! audit PutItem goes out concurrently with the page's read (its targets are the filters;
//! the conversations are not known until the read returns). With a claimed caller
//! (`cx.proof`, `access::proof`: a patient, or a staff member this process resolved
//! before, queried with the links they were remembered seeing) that write is a
//! TransactWriteItems proving the caller as well, and the page is released only once it
//! commits (one round trip in all).

use super::{Context, Conversation};
use crate::adapters::dynamo::StoreError;
use crate::domain::caller::NotAllowed;
use crate::domain::ids::LinkId;
use crate::ports::conversations::{
    ConversationStore, InboxScope, ListError, Listing, StaffInboxQuery,
};

/// The query string as given (`link_id` is parsed only for staff).
#[derive(Debug, Clone, Default)]
pub struct InboxInput<'a> {
    pub link_id: Option<&'a str>,
    pub tag: Option<&'a str>,
    pub limit: i32,
    pub cursor: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InboxError {
    #[error(transparent)]
    NotAllowed(#[from] NotAllowed),
    #[error("link_id must be a link id")]
    BadLinkId,
    #[error("no such link")]
    LinkNotFound,
    #[error("the cursor is not valid for this list")]
    BadCursor,
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ListError> for InboxError {
    fn from(e: ListError) -> Self {
        match e {
            ListError::BadCursor => Self::BadCursor,
            ListError::Store(e) => Self::Store(e),
        }
    }
}

pub async fn inbox(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    input: &InboxInput<'_>,
) -> Result<Listing<Conversation>, InboxError> {
    let filters = [("link_id", input.link_id), ("tag", input.tag)]
        .iter()
        .filter_map(|(f, v)| v.map(|v| format!("{f}={v}")))
        .collect();
    let event = cx.audit("inbox.read", filters, "ok");
    let listing = async {
        if cx.caller.role.is_staff() {
            staff(store, cx, input).await
        } else {
            let (limit, cursor) = (input.limit, input.cursor);
            Ok(store.participant_inbox(cx.caller, limit, cursor).await?)
        }
    };
    let (page, audited) = tokio::join!(listing, store.audit_read(&event, cx.proof, cx.now()));
    audited?;
    page
}

async fn staff(
    store: &impl ConversationStore,
    cx: &Context<'_>,
    input: &InboxInput<'_>,
) -> Result<Listing<Conversation>, InboxError> {
    let org = cx.caller.staff_org()?;
    let scope = match input.link_id {
        Some(raw) => {
            let link: LinkId = raw.parse().map_err(|_| InboxError::BadLinkId)?;
            if !cx.caller.sees_link(Some(&link)) {
                return Err(InboxError::LinkNotFound);
            }
            InboxScope::Link(link)
        }
        None => InboxScope::Practice(org),
    };
    let query = StaffInboxQuery {
        viewer: cx.caller,
        scope,
        tag: input.tag,
        limit: input.limit,
        cursor: input.cursor,
    };
    let mut page = store.staff_inbox(&query).await?;
    // A link's inbox is keyed by link alone: keep the caller's practice only.
    page.items.retain(|c| c.org_id == org);
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversations::fake::Scene;

    fn first_page() -> InboxInput<'static> {
        InboxInput {
            limit: 25,
            ..InboxInput::default()
        }
    }

    #[tokio::test]
    async fn every_inbox_page_is_audited_with_its_filters() {
        let s = Scene::new();
        let page = inbox(&s.store, &s.cx(&s.staff), &first_page())
            .await
            .unwrap();
        assert_eq!(page.items.len(), 1);
        let mut calls = s.store.calls();
        calls.sort();
        assert_eq!(calls, ["audit_read", "staff_inbox"]);
        let patient = inbox(&s.store, &s.cx(&s.patient), &first_page())
            .await
            .unwrap();
        assert_eq!(patient.items[0].id, s.id);
        assert_eq!(s.store.audits(), ["inbox.read", "inbox.read"]);
    }

    #[tokio::test]
    async fn staff_may_only_filter_by_links_they_see() {
        let s = Scene::new();
        let unseen = LinkId::generate().to_string();
        let input = InboxInput {
            link_id: Some(&unseen),
            ..first_page()
        };
        let refused = inbox(&s.store, &s.cx(&s.staff), &input).await;
        assert_eq!(refused, Err(InboxError::LinkNotFound));
        let garbage = InboxInput {
            link_id: Some("nope"),
            ..first_page()
        };
        let refused = inbox(&s.store, &s.cx(&s.staff), &garbage).await;
        assert_eq!(refused, Err(InboxError::BadLinkId));
        // Patients' inboxes ignore the practice-internal filters.
        assert!(inbox(&s.store, &s.cx(&s.patient), &garbage).await.is_ok());
    }
}
