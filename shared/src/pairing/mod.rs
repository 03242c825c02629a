//! Pairing a verified patient with a practice: two use cases, one per way in.
//!
//! - [`link`]: through a practice link (one SMS code proved the phone): a new secure
//!   conversation, the patient matched against the address book, or the first conversation
//!   again for a repeated signup through the same link;
//! - [`accept`]: accepting an invite (every destination on the invite proved): the invite's
//!   pending conversation becomes active with the patient in it.
//!
//! Each is ONE TransactWriteItems that also consumes the challenge and writes the account
//! (unless it exists), the practice's patient record, the contact, the session and the
//! audit item (`ports::invites::PairingStore`). A cancelled transaction leaves nothing
//! behind; an attempt that lost a race (two signups of one new phone at once) is tried once
//! more from the start.

pub mod accept;
pub mod link;
pub mod signup;

pub use accept::{accept_invite, AcceptInviteError};
pub use link::{pair_through_link, LinkPairingError};
pub use signup::{Signup, Via};

use crate::adapters::dynamo::keys;
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::domain::contact_info::DisplayName;
use crate::domain::ids::{AccountId, ConversationId, OrgId};
use crate::domain::role::Role;
use crate::practice::{get_account, get_login};
use crate::services::audit::AuditEvent;

/// What a successful pairing answers: the session token and who is paired where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paired {
    pub token: String,
    pub account_id: AccountId,
    pub name: DisplayName,
    pub org_id: OrgId,
    pub conversation_id: ConversationId,
}

/// The patient as pairing sees them: an existing account, or one to create.
pub(crate) struct Patient {
    pub id: AccountId,
    pub name: DisplayName,
    pub existing: bool,
}

/// The patient behind an existing phone login.
pub(crate) async fn existing_account(app: &App, id: AccountId) -> Result<Patient, StoreError> {
    let account = get_account(app, &id)
        .await?
        .ok_or_else(|| StoreError::Corrupt(format!("login of {id} has no account")))?;
    Ok(Patient {
        id: account.id,
        name: account.name,
        existing: true,
    })
}

/// The patient's account id by phone login (consistent read).
pub(crate) async fn login_of(app: &App, signup: &Signup) -> Result<Option<AccountId>, StoreError> {
    let login = get_login(app, keys::patient_phone_login_pk(&signup.phone)).await?;
    Ok(login.map(|l| l.account_id))
}

/// A new patient from the signup's details.
pub(crate) fn new_patient(signup: &Signup) -> Patient {
    Patient {
        id: AccountId::generate(),
        name: signup.name.clone(),
        existing: false,
    }
}

/// The audit event of a patient's own action in a practice.
pub(crate) fn patient_audit<'a>(
    patient: &'a AccountId,
    org: &'a OrgId,
    action: &'static str,
    targets: Vec<String>,
    request_id: &'a str,
) -> AuditEvent<'a> {
    AuditEvent {
        actor: Some(patient),
        role: Some(Role::Patient),
        org: Some(org),
        action,
        targets,
        request_id,
        outcome: "ok",
    }
}

/// How many times a pairing is attempted when it loses a race.
pub(crate) const ATTEMPTS: usize = 2;
