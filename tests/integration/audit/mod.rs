//! Issue 12.11: the practice's audit trail, readable by owners and admins
//! (`GET /v1/audit`), one Query per page, itself audited, refused to members and patients,
//! blind to other practices, never carrying PHI, and with forged cursors answered 400.

mod cursors;
mod sweep;
mod trail;

use canopy_tests::{Harness, Reply};

/// `GET /v1/audit{query}` as the bearer of `token`.
pub async fn audit(h: &Harness, token: &str, query: &str) -> Reply {
    h.call("GET", &format!("/v1/audit{query}"), None, Some(token))
        .await
}

/// Every item of the trail for `query` (which must not carry a cursor), page by page;
/// with the number of pages read.
pub async fn all_pages(h: &Harness, token: &str, query: &str) -> (Vec<serde_json::Value>, usize) {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let q = match &cursor {
            Some(c) => format!("{query}&cursor={c}"),
            None => query.to_string(),
        };
        let page = audit(h, token, &q).await;
        assert_eq!(page.status, 200, "{}", page.text);
        pages += 1;
        items.extend(page.items());
        cursor = page.json()["next_cursor"].as_str().map(String::from);
        if cursor.is_none() || pages > 200 {
            break;
        }
    }
    (items, pages)
}
