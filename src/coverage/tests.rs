//! The committed claims against the committed page and the catalogue, and a page edited by hand.

use super::*;
use crate::suite::catalogue;

#[test]
fn every_claim_quotes_the_page_and_every_sentence_is_a_claim_or_said_not_to_be() {
    let claims = Claims::committed().expect("claims/claims.json parses");
    let page = Aligned::new(PAGE);
    let mut ids = BTreeSet::new();
    for c in &claims.claims {
        assert!(ids.insert(c.id.as_str()), "{} twice", c.id);
        assert_eq!(page.presence(c).0, Presence::Unchanged, "{} does not quote the page: {:?}", c.id, c.quote);
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

/// What `--page` says, measured over every claim of the committed page: with the sentence that holds a
/// claim deleted, the claim must read "gone" (a "changed" would point a contributor at the wrong
/// sentence); with its longest word replaced, "changed" (its power), which a quote of fewer than three
/// words cannot reach (one word of two is half of it): those read "gone", the safe side. (Looked for
/// anywhere on the page instead of in its sentence's place, 21 of the 59 deleted claims read "changed".)
#[test]
#[expect(clippy::print_stdout, reason = "the measured rates are the test's report")]
fn a_deleted_claim_reads_gone_and_a_reworded_one_changed() {
    let claims = Claims::committed().expect("claims");
    let sentences: Vec<String> = units(PAGE).into_iter().map(|(_, u)| u).collect();
    let (mut false_changed, mut false_gone, mut long, mut short_gone, mut short) = (Vec::new(), Vec::new(), 0, 0, 0);
    for c in &claims.claims {
        let quote = normalised(&c.quote);
        // Deleted: every sentence that quotes it goes.
        let without: Vec<&str> = sentences.iter().filter(|u| !u.contains(&quote)).map(String::as_str).collect();
        if Aligned::new(&without.join("\n")).presence(c).0 != Presence::Gone {
            false_changed.push(c.id.clone());
        }
        // Reworded: its longest word replaced.
        let words: Vec<&str> = quote.split(|ch: char| !ch.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let Some(longest) = words.iter().max_by_key(|w| w.len()) else { continue };
        let reworded: Vec<String> =
            sentences.iter().map(|u| u.replace(&quote, &quote.replacen(longest, "reworded", 1))).collect();
        let said = Aligned::new(&reworded.join("\n")).presence(c).0;
        if words.len() >= 3 {
            long += 1;
            if said != Presence::Changed {
                false_gone.push(c.id.clone());
            }
        } else {
            short += 1;
            short_gone += usize::from(said == Presence::Gone);
        }
    }
    println!(
        "deleted: {} of {} read \"changed\"; longest word replaced: {} of {long} quotes of 3+ words read \"changed\", \
         {short_gone} of {short} shorter ones read \"gone\"",
        false_changed.len(),
        claims.claims.len(),
        long - false_gone.len(),
    );
    assert_eq!(false_changed, Vec::<String>::new(), "deleted claims said to be changed");
    assert_eq!(false_gone, Vec::<String>::new(), "reworded claims said to be gone");
    assert_eq!(short_gone, short);
}
