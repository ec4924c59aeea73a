//! `compare` on hand-made sides: each kind of divergence, the noise a side's own runs teach, the
//! sequences that differ in length or cases, and behaviours that ran on one side only.

use serde_json::{Value, json};

use super::*;

const POST: &str = "POST /v2/biometric-validations/app-registration";

fn answer(status: u16, code: Option<&str>, message: Option<&str>, shape: Value) -> Value {
    json!({"status": status, "media": "application/json", "code": code, "message": message, "shape": shape})
}

fn refused(status: u16, message: &str) -> Value {
    answer(status, Some("UNAUTHORIZED"), Some(message), json!({"code": "string", "message": "string"}))
}

fn success(shape: Value) -> Value {
    answer(200, None, None, shape)
}

/// A run of one behaviour `B` whose slots hold these steps.
fn run(slots: &[(&str, Vec<Step>)]) -> SideRun {
    let slots: BTreeMap<String, Vec<Step>> = slots.iter().map(|(s, steps)| ((*s).to_owned(), steps.clone())).collect();
    SideRun {
        sequences: Sequences::from([("B".to_owned(), slots)]),
        ran: BTreeSet::from(["B".to_owned()]),
        skipped: BTreeMap::new(),
    }
}

fn side(runs: Vec<SideRun>) -> SideAnswers {
    SideAnswers { runs }
}

fn one(a: Value) -> Step {
    Step::new(POST, false, vec![a])
}

#[test]
fn equal_sides_agree_and_each_field_is_its_own_kind() {
    let base = || run(&[("example", vec![one(refused(401, "Authentication required"))])]);
    let same = compare(&side(vec![base(), base()]), &side(vec![base(), base()]));
    assert!(same.agrees() && same.steps == 1 && same.behaviours() == 1, "{same:?}");
    let cases: [(Value, Kind, &str); 4] = [
        (refused(403, "Authentication required"), Kind::Status, "status 401 -> 403"),
        (
            answer(
                401,
                Some("FORBIDDEN"),
                Some("Authentication required"),
                json!({"code": "string", "message": "string"}),
            ),
            Kind::Code,
            "code \"UNAUTHORIZED\" -> \"FORBIDDEN\"",
        ),
        (refused(401, "Please sign in"), Kind::Message, "message"),
        (
            answer(401, Some("UNAUTHORIZED"), Some("Authentication required"), json!({"code": "string"})),
            Kind::Shape,
            "removed [\"/message: string\"]",
        ),
    ];
    for (other, kind, said) in cases {
        let c = compare(&side(vec![base()]), &side(vec![run(&[("example", vec![one(other)])])]));
        assert_eq!(c.divergences.len(), 1, "{c:?}");
        let d = &c.divergences[0];
        assert_eq!((d.kind, d.step, d.slot.as_str()), (kind, Some(1), "example"));
        assert!(d.what.contains(said), "{kind:?}: {}", d.what);
        assert!(!c.agrees());
    }
}

/// A race's answers are a multiset (sorted when recorded); a different winner count is a status.
#[test]
fn a_race_is_compared_as_a_multiset() {
    let race = |statuses: &[u16]| {
        let mut answers: Vec<Value> = statuses.iter().map(|s| success(json!({"status": *s}))).collect();
        answers.sort_by_key(Value::to_string);
        run(&[("example", vec![Step::new(POST, true, answers)])])
    };
    let c = compare(&side(vec![race(&[200, 409, 409])]), &side(vec![race(&[409, 200, 409])]));
    assert!(c.agrees(), "{c:?}");
    let two_wins = compare(&side(vec![race(&[200, 409, 409])]), &side(vec![race(&[200, 200, 409])]));
    assert_eq!(two_wins.divergences.len(), 1);
}

/// What a side's runs disagree on is set aside; an answer neither of them gave is a divergence.
#[test]
fn what_a_side_varies_on_is_noise() {
    let with = |m: &str| run(&[("example", vec![one(refused(401, m))])]);
    let left = side(vec![with("Authentication required"), with("Token required")]);
    let c = compare(&left, &side(vec![with("Token required"), with("Token required")]));
    assert!(c.agrees(), "{c:?}");
    assert_eq!(c.varied.len(), 1);
    assert_eq!((c.varied[0].side, c.varied[0].forms), (Side::Left, 2));
    let c = compare(&left, &side(vec![with("Sign in")]));
    assert_eq!(c.divergences.len(), 1, "{c:?}");
    assert_eq!(c.divergences[0].left.len(), 2, "both forms of the left are shown");
    assert_eq!(c.residual_false_alarm(), 0.25, "2 + 1 runs: 2 * 2^-3");
    // One step seen varying in 2 + 1 runs: q = 2^(2-3) = 1/2 stands for 1 more that looked steady, half
    // of which diverge.
    assert_eq!(c.unseen_noise_estimate(), Some(0.5));
    let one_each = compare(&side(vec![with("Token required")]), &side(vec![with("Token required")]));
    assert_eq!(one_each.unseen_noise_estimate(), None, "one run a side shows no noise");
}

/// A behaviour that stops at the first refused attack on one side and goes on on the other, and a
/// property that ran fewer cases on one side: each a sequence divergence, said once.
#[test]
fn sequences_of_other_lengths_and_cases_on_one_side_are_their_own_kind() {
    let ok = || one(success(json!({"data": {"_id": "string"}})));
    let no = || one(refused(401, "Authentication required"));
    let left = side(vec![run(&[("example", vec![no(), no()])])]);
    let right = side(vec![run(&[("example", vec![no(), no(), ok()])])]);
    let c = compare(&left, &right);
    assert_eq!(c.divergences.len(), 1, "{c:?}");
    assert_eq!(c.divergences[0].kind, Kind::Sequence);
    assert_eq!(c.divergences[0].what, "left sent 2 request(s), right sent 3");
    assert_eq!(c.divergences[0].right, [POST]);
    let cases = |n: u32| {
        run(&(1..=n)
            .map(|i| (format!("case {i}"), vec![no()]))
            .collect::<Vec<_>>()
            .iter()
            .map(|(s, v)| (s.as_str(), v.clone()))
            .collect::<Vec<_>>())
    };
    let c = compare(&side(vec![cases(12)]), &side(vec![cases(4)]));
    assert_eq!(c.divergences.len(), 1, "{c:?}");
    assert_eq!(
        c.divergences[0].what,
        "left ran 12 case(s), right ran 4 (a side stopped at a failing case, or ran other cases)"
    );
    assert_eq!(c.divergences[0].slot, "cases 5–12");
    // A side whose own runs ran 4 and 12 cases meets the other's 4: noise, not a divergence.
    let c = compare(&side(vec![cases(12), cases(4)]), &side(vec![cases(4)]));
    assert!(c.agrees(), "{c:?}");
    assert_eq!(c.steps, 4);
}

/// A behaviour skipped on one side is not comparable, with the side's reason; it is no divergence,
/// and a comparison of nothing does not agree.
#[test]
fn a_behaviour_run_on_one_side_only_is_not_comparable() {
    let mut skipped = SideRun::default();
    skipped.skipped.insert("B".to_owned(), "needs ProviderStates".to_owned());
    let c = compare(&side(vec![run(&[("example", vec![one(refused(401, "x"))])])]), &side(vec![skipped]));
    assert!(c.divergences.is_empty());
    assert_eq!(c.not_comparable.len(), 1);
    assert_eq!(c.not_comparable[0].why, "right: needs ProviderStates");
    assert!(!c.agrees(), "nothing was compared");
}

/// A behaviour not run because the target was given up is not comparable, with the cause; one that ran
/// and failed is compared.
#[test]
fn a_behaviour_the_target_was_given_up_for_is_not_comparable() {
    use crate::suite::finding::{Check, Finding};
    use crate::suite::runner::TrialRecord;
    use crate::suite::{Outcome, Violation};
    let record = |name: &str, check: Check| TrialRecord {
        name: name.to_owned(),
        outcome: Outcome::failed(vec![Violation::of(
            &Finding::new(check, "not run: the target stopped answering"),
            None,
            None,
        )]),
        elapsed: std::time::Duration::ZERO,
    };
    let run = side_run(Sequences::new(), &[record("auth::A", Check::Target), record("auth::B", Check::Status)]);
    assert_eq!(run.ran, BTreeSet::from(["B".to_owned()]));
    assert_eq!(run.skipped["A"], "not run: the target stopped answering");
}
