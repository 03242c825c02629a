//! The in-process stand-in for Lambda: template logical id → that function's handler.
//! Every function's `lib.rs` exposes the same `handle(&App, Request) -> Response` its
//! `main.rs` runs in Lambda, so the dev server runs exactly the deployed code path.

use canopy_shared::App;
use lambda_http::{Body, Request, Response};

/// Calls the function named by its `template.yaml` logical id; `None` if unknown.
pub async fn invoke(function: &str, app: &App, req: Request) -> Option<Response<Body>> {
    Some(match function {
        "AuthFunction" => fn_auth::handle(app, req).await,
        "MembersFunction" => fn_members::handle(app, req).await,
        "LinksFunction" => fn_links::handle(app, req).await,
        "LinkPagesFunction" => fn_link_pages::handle(app, req).await,
        "ContactsFunction" => fn_contacts::handle(app, req).await,
        "SignupFunction" => fn_signup::handle(app, req).await,
        "ConversationsFunction" => fn_conversations::handle(app, req).await,
        "MessagesFunction" => {
            let files = crate::uploads::files().await;
            fn_messages::handle(app, files.map(|f| f as _), req).await
        }
        "AttachmentsFunction" => match crate::uploads::files().await {
            Some(files) => fn_attachments::handle(app, files, req).await,
            None => crate::uploads::not_configured(),
        },
        "DevicesFunction" => fn_devices::handle(app, req).await,
        "AuditFunction" => fn_audit::handle(app, req).await,
        _ => return None,
    })
}

/// Logical ids of every function with HTTP routes.
pub const HTTP_FUNCTIONS: &[&str] = &[
    "AuthFunction",
    "MembersFunction",
    "LinksFunction",
    "LinkPagesFunction",
    "ContactsFunction",
    "SignupFunction",
    "ConversationsFunction",
    "MessagesFunction",
    "AttachmentsFunction",
    "DevicesFunction",
    "AuditFunction",
];
