//! [`Conversation::visible_to`](crate::conversations::Conversation::visible_to) as DynamoDB
//! expressions on the meta item: the condition every conversation write carries (so a
//! stale read can never authorize it) and the staff inbox's FilterExpression.

use crate::adapters::dynamo::{s, Expr};
use crate::domain::caller::Caller;

/// The link part of a staff member's visibility: the conversation has no routing link
/// (absent or NULL) or one of the caller's visible links.
fn link_clause(e: &mut Expr, caller: &Caller) -> String {
    e.name("#link", "link_id").value(":null_type", s("NULL"));
    let mut parts = vec![
        "attribute_not_exists(#link)".to_string(),
        "attribute_type(#link, :null_type)".to_string(),
    ];
    // `IN` takes at most 100 operands; a practice with more links than that would need
    // a different filter (none is near it).
    let links: Vec<String> = caller
        .visible_links
        .iter()
        .take(100)
        .enumerate()
        .map(|(i, link)| {
            let p = format!(":vl{i}");
            e.value(&p, s(link.to_string()));
            p
        })
        .collect();
    if !links.is_empty() {
        parts.push(format!("#link IN ({})", links.join(", ")));
    }
    parts.join(" OR ")
}

/// ANDs "`caller` may see this conversation" to `e`: participants by
/// `contains(#pids, :me)`, staff of the practice by org and routing link. Uses `#pids`,
/// `#org`, `#link`, `:me`, `:org`, `:null_type`, `:vlN`.
pub fn access_condition(e: &mut Expr, caller: &Caller) {
    e.name("#pids", "participant_ids")
        .value(":me", s(caller.account_id.to_string()));
    match (&caller.org_id, caller.role.is_staff()) {
        (Some(org), true) => {
            e.name("#org", "org_id").value(":org", s(org.to_string()));
            let link = link_clause(e, caller);
            e.and(&format!(
                "(#org = :org AND ({link})) OR contains(#pids, :me)"
            ));
        }
        _ => {
            e.and("contains(#pids, :me)");
        }
    }
}

/// ANDs the staff inbox filter to `e`: conversations routed to no link or to one the
/// caller sees, or that they take part in (the partition already fixes the practice).
pub fn inbox_filter(e: &mut Expr, caller: &Caller) {
    e.name("#pids", "participant_ids")
        .value(":me", s(caller.account_id.to_string()));
    let link = link_clause(e, caller);
    e.and(&format!("{link} OR contains(#pids, :me)"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::ids::{AccountId, LinkId, OrgId};
    use crate::domain::role::Role;

    fn caller(role: Role, links: usize) -> Caller {
        Caller {
            account_id: AccountId::generate(),
            role,
            org_id: role.is_staff().then(OrgId::generate),
            visible_links: (0..links).map(|_| LinkId::generate()).collect(),
        }
    }

    #[test]
    fn patients_are_authorized_only_as_participants() {
        let mut e = Expr::default();
        access_condition(&mut e, &caller(Role::Patient, 0));
        assert_eq!(e.text, "(contains(#pids, :me))");
        assert!(!e.names.contains_key("#org"));
    }

    #[test]
    fn staff_are_authorized_by_practice_and_visible_links_or_participation() {
        let mut e = Expr::default();
        access_condition(&mut e, &caller(Role::Member, 2));
        assert!(e.text.contains("#org = :org"));
        assert!(e.text.contains("#link IN (:vl0, :vl1)"));
        assert!(e.text.contains("attribute_type(#link, :null_type)"));
        assert!(e.text.ends_with("OR contains(#pids, :me))"));
        let mut none = Expr::default();
        access_condition(&mut none, &caller(Role::Member, 0));
        assert!(!none.text.contains(" IN "), "IN () would be invalid");
    }

    #[test]
    fn the_inbox_filter_admits_unrouted_visible_links_and_own_groups() {
        let mut e = Expr::default();
        inbox_filter(&mut e, &caller(Role::Member, 1));
        assert_eq!(
            e.text,
            "(attribute_not_exists(#link) OR attribute_type(#link, :null_type) OR #link IN (:vl0) OR contains(#pids, :me))"
        );
    }
}
