//! `ApiError` for the practice use cases' errors: the HTTP edge's half of the mapping.

use super::ApiError;
use crate::practice::add_member::AddMemberError;
use crate::practice::list_members::ListMembersError;
use crate::practice::org::OrgError;
use crate::practice::remove_member::RemoveMemberError;
use crate::practice::verify::VerifyError;

impl From<ListMembersError> for ApiError {
    fn from(err: ListMembersError) -> Self {
        match err {
            ListMembersError::NotAllowed(e) => e.into(),
            ListMembersError::Store(e) => e.into(),
        }
    }
}

impl From<OrgError> for ApiError {
    fn from(err: OrgError) -> Self {
        match err {
            OrgError::NotAllowed(e) => e.into(),
            OrgError::NotFound => ApiError::not_found("practice"),
            OrgError::Store(e) => e.into(),
        }
    }
}

impl From<AddMemberError> for ApiError {
    fn from(err: AddMemberError) -> Self {
        match err {
            AddMemberError::NotAllowed(e) => e.into(),
            AddMemberError::RoleNotAddable => {
                ApiError::invalid("role", "must be \"admin\" or \"member\"")
            }
            AddMemberError::AlreadyMember => ApiError::conflict(
                "already_member",
                "This email already belongs to a member of this practice.",
            ),
            AddMemberError::AlreadyInvited => ApiError::conflict(
                "already_invited",
                "This email was already invited to this practice.",
            ),
            AddMemberError::Store(e) => e.into(),
        }
    }
}

impl From<RemoveMemberError> for ApiError {
    fn from(err: RemoveMemberError) -> Self {
        match err {
            RemoveMemberError::NotAllowed(e) => e.into(),
            RemoveMemberError::NotFound => ApiError::not_found("member"),
            RemoveMemberError::OwnersOnly => {
                ApiError::forbidden("Only an owner may remove another owner.")
            }
            RemoveMemberError::LastOwner => {
                ApiError::conflict("last_owner", "The practice's last owner cannot be removed.")
            }
            RemoveMemberError::Store(e) => e.into(),
        }
    }
}

impl From<VerifyError> for ApiError {
    fn from(err: VerifyError) -> Self {
        match err {
            VerifyError::Code(e) => e.into(),
            VerifyError::EmailTaken => ApiError::conflict(
                "email_taken",
                "This email already belongs to a practice's staff; sign in instead.",
            ),
            VerifyError::EmailClaimedElsewhere => ApiError::conflict(
                "email_taken",
                "This email already signs in to another practice's team.",
            ),
            VerifyError::NoLongerMember => {
                ApiError::forbidden("This account is no longer a member of its practice.")
            }
            VerifyError::InvitationGone => {
                ApiError::forbidden("This invitation is no longer valid.")
            }
            VerifyError::UnknownAccount => ApiError::unauthorized(),
            VerifyError::BadPayload => {
                tracing::error!("a challenge payload could not be read");
                ApiError::internal()
            }
            VerifyError::Store(e) => e.into(),
        }
    }
}
