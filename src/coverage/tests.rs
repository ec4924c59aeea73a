//! The committed claims against the committed page and the catalogue, and a page edited by hand.

use super::*;
use crate::suite::catalogue;

#[test]
fn every_claim_quotes_the_page_and_every_sentence_is_a_claim_or_said_not_to_be() {
    let claims = Claims::committed().expect("claims/claims.json parses");
    let units = units(PAGE);
    let mut ids = BTreeSet::new();
    for c in &claims.claims {
        assert!(ids.insert(c.id.as_str()), "{} twice", c.id);
        assert_eq!(presence(c, &units).0, Presence::Unchanged, "{} does not quote the page: {:?}", c.id, c.quote);
    }
    assert_eq!(uncovered(&claims, PAGE), Vec::<(usize, String)>::new());
    assert_eq!(unknown_ids(&claims, &catalogue::all()), Vec::<String>::new());
}

#[test]
fn units_are_lines_split_into_sentences() {
    let u = units("Title\n{\nFirst one. Second (e.g., x. y) here. third stays\n");
    let texts: Vec<&str> = u.iter().map(|(_, t)| t.as_str()).collect();
    assert_eq!(texts, ["Title", "First one.", "Second (e.g., x. y) here. third stays"]);
    assert_eq!(u[1].0, 3);
}

/// Every testable claim is checked, and every behaviour checks some claim.
#[test]
fn no_testable_claim_is_untested_and_every_behaviour_names_a_claim() {
    let claims = Claims::committed().expect("claims");
    let all = catalogue::all();
    let covered = coverage(&claims, &all);
    let untested: Vec<&str> =
        covered.iter().filter(|c| c.status == Status::Untested).map(|c| c.claim.id.as_str()).collect();
    assert_eq!(untested, Vec::<&str>::new());
    let silent: Vec<&str> = all.iter().filter(|b| b.claims.is_empty()).map(|b| b.id.0).collect();
    assert_eq!(silent, Vec::<&str>::new(), "behaviours that name no claim of the page");
}

/// A claim checked only by a behaviour no deviation breaks is untested: that check was never shown to
/// fail. Breaking it makes the claim tested (documented) or inferred-only (inferred).
#[test]
fn a_claim_checked_only_by_a_check_that_cannot_fail_does_not_count() {
    use crate::suite::behaviour::Family;
    let claims = Claims::committed().expect("claims");
    let row = |documented: bool, broken: bool| {
        let b = Behaviour::new(Family::Documented, "X", "x", "x", |_| Ok(())).claims(&["NOTE-COLLECTION"]);
        let b = if documented { b.documented() } else { b };
        if broken { b.broken_by(&[&[crate::deviation::Deviation::UnprefixedCollectionMessage]]) } else { b }
    };
    let status = |b: Behaviour| {
        let covered = coverage(&claims, &[b]);
        covered.iter().find(|c| c.claim.id == "NOTE-COLLECTION").map(|c| c.status)
    };
    assert_eq!(status(row(true, false)), Some(Status::Untested));
    assert_eq!(status(row(true, true)), Some(Status::Tested));
    assert_eq!(status(row(false, true)), Some(Status::InferredOnly));
}
