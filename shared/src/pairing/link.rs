//! Link pairing: a patient who proved their phone through a practice link is paired with
//! the practice in a new secure conversation (identity `unverified`, tagged with the link's
//! tags, routed to the link), or, when they signed up through this link before, finds
//! their first conversation again with a new session.
//!
//! Round trips: 1 round of concurrent reads (login GetItem, contacts-by-phone Query,
//! contacts-by-email Query when an email is given), + 1 round (account GetItem, pairing
//! GetItem, concurrent) for an existing patient, then 1 TransactWriteItems.

use super::{
    existing_account, login_of, new_patient, patient_audit, Paired, Patient, Signup, Via, ATTEMPTS,
};
use crate::adapters::dynamo::invites::access_part;
use crate::adapters::dynamo::StoreError;
use crate::app::App;
use crate::contacts::{contact_match, Contact};
use crate::conversations::{
    new_conversation, ConversationKind, ConversationState, Identity, NewConversation,
    ParticipantKind, ParticipantRef,
};
use crate::domain::ids::{ContactId, ConversationId, LinkId, OrgId};
use crate::domain::role::Role;
use crate::ports::contacts::ContactStore;
use crate::ports::invites::{
    slots, LinkPairingWrite, NewConversationItems, NewPatient, PairedContact, PairingStore,
    PairingWriteError,
};
use crate::services::otp::{self, ChallengeItem, CheckError};
use crate::services::sessions;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LinkPairingError {
    /// The challenge was used or replaced meanwhile.
    #[error(transparent)]
    Challenge(#[from] CheckError),
    /// The link was disabled (or replaced) since the signup started.
    #[error("the link is no longer active")]
    LinkGone,
    /// The challenge's payload is not a link signup (a bug).
    #[error("not a link signup")]
    NotALinkSignup,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One attempt's outcome: paired, or lost a race with a concurrent signup (try again).
enum Attempt {
    Paired(Paired),
    Race,
}

pub async fn pair_through_link(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    request_id: &str,
) -> Result<Paired, LinkPairingError> {
    let Via::Link {
        org_id,
        link_id,
        code,
        tags,
    } = &signup.via
    else {
        return Err(LinkPairingError::NotALinkSignup);
    };
    let link = LinkRef {
        org: org_id,
        id: link_id,
        code,
        tags,
    };
    for _ in 0..ATTEMPTS {
        if let Attempt::Paired(paired) = attempt(app, challenge, signup, &link, request_id).await? {
            return Ok(paired);
        }
    }
    Err(StoreError::Conflict.into())
}

struct LinkRef<'a> {
    org: &'a OrgId,
    id: &'a LinkId,
    code: &'a str,
    tags: &'a [String],
}

/// The practice's contacts sharing the signup's phone or email (each contact once).
async fn candidates(
    app: &App,
    org: &OrgId,
    signup: &Signup,
) -> (
    Result<Option<crate::domain::ids::AccountId>, StoreError>,
    Result<Vec<Contact>, StoreError>,
) {
    let by_email = async {
        match &signup.email {
            Some(e) => app.store.contacts_with_email(org, e).await,
            None => Ok(vec![]),
        }
    };
    let (login, by_phone, by_email) = tokio::join!(
        login_of(app, signup),
        app.store.contacts_with_phone(org, &signup.phone),
        by_email
    );
    let merged = by_phone.and_then(|mut all| {
        for c in by_email? {
            if !all.iter().any(|k| k.id == c.id) {
                all.push(c);
            }
        }
        Ok(all)
    });
    (login, merged)
}

async fn attempt(
    app: &App,
    challenge: &ChallengeItem,
    signup: &Signup,
    link: &LinkRef<'_>,
    request_id: &str,
) -> Result<Attempt, LinkPairingError> {
    let (login, candidates) = candidates(app, link.org, signup).await;
    let candidates = candidates?;
    let (patient, earlier) = match login? {
        Some(id) => {
            let (patient, earlier) = tokio::join!(
                existing_account(app, id),
                app.store.link_pairing(link.org, &id, link.id)
            );
            (patient?, earlier?)
        }
        None => (new_patient(signup), None),
    };
    let (token, session) = sessions::issue(app, &patient.id, Role::Patient, None)?;
    let access = access_part(otp::consume(app, challenge)?, session);
    let now = app.now_ms();
    let paired = |conversation_id| Paired {
        token: token.clone(),
        account_id: patient.id,
        name: patient.name.clone(),
        org_id: *link.org,
        conversation_id,
    };
    if let Some(conversation) = earlier {
        // Signed up through this link before: same conversation, a new session.
        let targets = vec![patient.id.to_string(), conversation.to_string()];
        let audit = patient_audit(&patient.id, link.org, "signup.repeat", targets, request_id);
        return match app.store.commit_repeat_signup(access, &audit, now).await {
            Ok(()) => Ok(Attempt::Paired(paired(conversation))),
            Err(e) => Err(refusal(e).unwrap_or(LinkPairingError::Store(StoreError::Conflict))),
        };
    }

    let (matched, _) = contact_match(&candidates, &signup.phone, signup.email.as_ref());
    let conversation_id = ConversationId::generate();
    let new_contact;
    let contact = match bound_contact(&candidates, &patient) {
        Some(own) => PairedContact::OnFile(own),
        None => {
            new_contact = Contact {
                account_id: Some(patient.id),
                conversation_ids: vec![conversation_id],
                ..Contact::new(
                    link.org,
                    ContactId::generate(),
                    patient.name.clone(),
                    Some(signup.phone.clone()),
                    signup.email.clone(),
                    now,
                )
            };
            PairedContact::New(&new_contact)
        }
    };
    let contact_id = match &contact {
        PairedContact::OnFile(id) => *id,
        PairedContact::New(c) => c.id,
    };
    let (meta, rows) = new_conversation(
        NewConversation {
            id: conversation_id,
            org_id: *link.org,
            kind: ConversationKind::Secure,
            subject: None,
            tags: link.tags.to_vec(),
            state: ConversationState::Active,
            identity: Some(Identity::Unverified),
            contact_match: Some(matched),
            link_id: Some(*link.id),
            contact_ids: vec![contact_id],
            channel: None,
            participants: vec![participant(&patient)],
            created_by: Some(patient.id),
        },
        now,
    );
    let write = LinkPairingWrite {
        account: patient.id,
        new_patient: new_patient_items(&patient, signup),
        org: *link.org,
        link: *link.id,
        link_code: link.code,
        contact,
        conversation: NewConversationItems {
            meta: &meta,
            rows: &rows,
        },
    };
    let targets = vec![
        patient.id.to_string(),
        conversation_id.to_string(),
        contact_id.to_string(),
        link.id.to_string(),
    ];
    let audit = patient_audit(&patient.id, link.org, "signup.pair", targets, request_id);
    match app
        .store
        .commit_link_pairing(access, write, &audit, now)
        .await
    {
        Ok(()) => Ok(Attempt::Paired(paired(conversation_id))),
        Err(e) => match refusal(e) {
            Some(err) => Err(err),
            None => Ok(Attempt::Race),
        },
    }
}

/// The contact this account is already bound to at the practice (bound by an earlier,
/// proven pairing: an invite's two codes, or a staff confirmation), found among the
/// contacts sharing the signup's phone or email.
///
/// A link signup proves only the phone, so it never binds the account to any other
/// contact: not even one whose phone and email both match (`contact_match: "matched"`).
/// Numbers are recycled and addresses are known to others, so a new owner of a former
/// patient's number who also knows that patient's email would otherwise inherit the record.
/// Such a signup gets a new contact; the practice sees `contact_match` and confirms the
/// identity (`POST /v1/conversations/{id}/confirm-identity`), which binds it then, audited.
fn bound_contact(candidates: &[Contact], patient: &Patient) -> Option<ContactId> {
    candidates
        .iter()
        .find(|c| c.account_id == Some(patient.id))
        .map(|c| c.id)
}

/// The patient as a conversation participant.
pub(crate) fn participant(patient: &Patient) -> ParticipantRef {
    ParticipantRef {
        id: patient.id,
        kind: ParticipantKind::Patient,
        name: patient.name.as_str().to_string(),
    }
}

/// The account and login to create, for a patient new to Canopy.
pub(crate) fn new_patient_items<'a>(
    patient: &'a Patient,
    signup: &'a Signup,
) -> Option<NewPatient<'a>> {
    (!patient.existing).then_some(NewPatient {
        name: &patient.name,
        phone: &signup.phone,
        email: signup.email.as_ref(),
    })
}

/// What a failed link pairing means; `None`: a lost race (try again).
fn refusal(err: PairingWriteError) -> Option<LinkPairingError> {
    match err {
        PairingWriteError::Refused(slots::CHALLENGE) => Some(CheckError::Used.into()),
        PairingWriteError::Refused(slots::CHALLENGE_CURRENT) => Some(CheckError::Replaced.into()),
        PairingWriteError::Refused(slots::LINK) => Some(LinkPairingError::LinkGone),
        PairingWriteError::Refused(
            slots::ACCOUNT | slots::LOGIN | slots::CONTACT | slots::PAIRING,
        )
        | PairingWriteError::Store(StoreError::Conflict) => None,
        PairingWriteError::Refused(slot) => Some(LinkPairingError::Store(StoreError::Other(
            format!("{slot}: unexpected condition failure"),
        ))),
        PairingWriteError::Store(e) => Some(e.into()),
    }
}
