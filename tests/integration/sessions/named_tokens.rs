//! Tokens name their caller (`acct_….org_….<random>`) so a handler can read the session,
//! membership and links at once; the names are claims, bound by the stored SHA-256 of the
//! whole token. The attacks: a token whose account or practice part is swapped for another
//! (a teammate's account, another practice, a patient's token dressed as staff), and a
//! token of the old, random-only shape that was never issued.

use canopy_tests::Harness;

/// The token with its `index`th dot-separated part replaced by `part`.
fn with_part(token: &str, index: usize, part: &str) -> String {
    let mut parts: Vec<&str> = token.splitn(3, '.').collect();
    assert_eq!(parts.len(), 3, "a token naming its caller: {token}");
    parts[index] = part;
    parts.join(".")
}

#[tokio::test]
async fn a_token_with_its_names_swapped_is_refused() {
    let (h, owner) = Harness::with_practice("Swap Street Clinic").await;
    let other = h.new_practice("Other Practice").await;
    let patient = h.new_patient(&owner, "Ada Swap").await;
    assert_eq!(h.api(&owner).members().await.status, 200, "the token works");
    assert_eq!(&owner.token[..owner.account_id.len()], owner.account_id);

    let forgeries = [
        // The owner's secret, another practice named.
        with_part(&owner.token, 1, &other.org_id),
        // The owner's secret, another practice's owner named, in that practice: that
        // membership exists, so only the session's binding to the whole token refuses it.
        with_part(
            &with_part(&owner.token, 0, &other.account_id),
            1,
            &other.org_id,
        ),
        // A patient's token dressed as staff of the practice they are paired with.
        with_part(&patient.token, 1, &owner.org_id),
        // A staff token dressed as a patient's.
        with_part(&owner.token, 1, "-"),
    ];
    for forged in &forgeries {
        let reply = h.api(forged).members().await;
        assert_eq!(reply.status, 401, "{forged}: {}", reply.text);
        assert_eq!(reply.error_code(), "unauthorized");
    }
    assert_eq!(h.api(&owner).members().await.status, 200, "still works");
    assert_eq!(h.api(&other).members().await.status, 200);
}

#[tokio::test]
async fn a_token_of_the_old_shape_that_was_never_issued_is_refused() {
    let (h, _owner) = Harness::with_practice("Old Shape Clinic").await;
    let unknown = canopy_shared::domain::secrets::new_token();
    assert_eq!(h.api(&unknown).members().await.status, 401);
}
