//! Who is calling: the account, its role, its practice (staff) and the practice links
//! whose conversations it may see. Established once per request by the function itself,
//! before its route runs (`http::authenticate`, rules in `access::authorize`); use cases
//! only receive it.

use crate::domain::ids::{AccountId, LinkId, OrgId};
use crate::domain::role::Role;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub account_id: AccountId,
    pub role: Role,
    /// The staff member's practice; `None` for patients, who may belong to several.
    pub org_id: Option<OrgId>,
    /// For staff: the practice links whose conversations they may see and send from
    /// (links open to the whole team plus links listing them as a member).
    pub visible_links: Vec<LinkId>,
}

/// The caller may not do this (the edge answers 403 with this sentence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum NotAllowed {
    #[error("Only practice staff may do this.")]
    StaffOnly,
    #[error("Only the practice's owners and admins may do this.")]
    ManagersOnly,
}

impl Caller {
    /// The caller's practice, or [`NotAllowed::StaffOnly`] for patients.
    pub fn staff_org(&self) -> Result<OrgId, NotAllowed> {
        self.org_id
            .filter(|_| self.role.is_staff())
            .ok_or(NotAllowed::StaffOnly)
    }

    /// The caller's practice if they are an owner or admin.
    pub fn managing_org(&self) -> Result<OrgId, NotAllowed> {
        let org = self.staff_org()?;
        if self.role.can_manage_practice() {
            Ok(org)
        } else {
            Err(NotAllowed::ManagersOnly)
        }
    }

    /// Whether a conversation routed to `link` (or to no link) is visible to this staff member.
    pub fn sees_link(&self, link: Option<&LinkId>) -> bool {
        match link {
            None => true,
            Some(l) => self.visible_links.contains(l),
        }
    }
}
