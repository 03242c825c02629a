//! Attachments of secure conversations: photos, videos and PDFs, private from upload to
//! download.
//!
//! The flow (API.md, "Attachments"):
//! 1. [`reserve`]: a participant declares `{filename, content_type, size}`; an attachment
//!    item is reserved (`uploading`) and a PUT URL presigned for exactly that type and
//!    length, valid 15 minutes, is returned. Object keys are ids only.
//! 2. [`check`]: S3 notifies the upload-check function of the new object; its size and
//!    first bytes must match the declaration, then it is `ready` (its [`card`] written), or
//!    `rejected` and deleted.
//! 3. The message post attaches ready attachments inside its one transaction, its only
//!    DynamoDB round trip: what the message shows of each comes from its [`card`] (written
//!    by the check, read from S3) and is conditioned against the item in that transaction.
//! 4. [`read`]: whoever may read the conversation gets the status and, once `ready`, a GET
//!    URL valid 5 minutes; every request is audited.
//!
//! The pure rules are in [`model`]; storage is behind `crate::ports::attachments`.

pub mod attach;
pub mod card;
pub mod check;
pub mod model;
pub mod read;
pub mod reserve;

#[cfg(test)]
mod fakes;

pub use model::{Attachment, ContentType, Filename, RejectReason, Status};
