//! Answer sets against reordered, reworded and noisy answers.
use reqwest::StatusCode;
use serde_json::json;

use super::*;

fn record(dir: &Path, id: BehaviourId, answers: &[Exchange], at: &str) {
    let o = Observed::new(&[]).expect("observed");
    for x in answers {
        o.note(id, Slot::Example, x);
    }
    o.write(
        dir,
        Index { format_version: FORMAT_VERSION, seed: 7, cases: 8, recorded_at: at.to_owned(), ran: Vec::new() },
    )
    .expect("written");
}

fn taken() -> Exchange {
    Exchange::synthetic(
        StatusCode::CONFLICT,
        json!({"code": "person_already_set", "message": "409:person_already_set"}),
    )
}

fn ok(body: Value) -> Exchange {
    Exchange::synthetic(StatusCode::OK, body)
}

/// The false alarm of a conformant target behind a reformatting proxy: the recorded race had its
/// 200 first and its body's keys in one order; the rerun got the same answers with the keys in
/// another order and the 200 third (answers come in completion order). Before answer sets this
/// printed "answer 1 of the central endpoint: status 200 -> 409 ..." and "answer 3 ...: status 409
/// -> 200 ...": the multiset was keyed on text that depends on key order, and the fallback
/// compared answers by position.
#[test]
fn the_same_answers_in_another_order_and_spelling_are_no_change() {
    let id = BehaviourId("STATE-RACE-ONE-200");
    let dir = std::env::temp_dir().join(format!("verifik-observed-race-{}", std::process::id()));
    record(&dir, id, &[ok(json!({"data": {"_id": "a", "status": "STARTED"}})), taken(), taken()], "1");
    let now = Observed::new(std::slice::from_ref(&dir)).expect("observed");
    let reordered = Exchange::synthetic(
        StatusCode::CONFLICT,
        json!({"message": "409:person_already_set", "code": "person_already_set"}),
    );
    for x in [reordered, taken(), ok(json!({"data": {"status": "STARTED", "_id": "b"}}))] {
        now.note(id, Slot::Example, &x);
    }
    let changes = now.changes(id);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(changes, Vec::<String>::new());
}

/// Two recorded runs that disagree teach what varies on its own: either recorded form is no change,
/// a third one is, and the summary names the intermittent slot and how many runs it learned from.
#[test]
fn what_varied_between_recorded_runs_is_noise_and_anything_else_a_change() {
    let id = BehaviourId("STATE-X");
    let base = std::env::temp_dir().join(format!("verifik-observed-noise-{}", std::process::id()));
    let (one, two) = (base.join("one"), base.join("two"));
    let unauthorized =
        |m: &str| Exchange::synthetic(StatusCode::UNAUTHORIZED, json!({"code": "UNAUTHORIZED", "message": m}));
    record(&one, id, &[unauthorized("Authentication required")], "2026-12-01");
    record(&two, id, &[unauthorized("Token required")], "2026-12-02");
    let compare = |m: &str| {
        let now = Observed::new(&[two.clone(), one.clone()]).expect("observed");
        now.note(id, Slot::Example, &unauthorized(m));
        (now.changes(id), now.noise())
    };
    let (changes, noise) = compare("Authentication required");
    assert_eq!(changes, Vec::<String>::new());
    let noise = noise.expect("a summary");
    assert!(
        noise.contains("compared with 2 recorded run(s)")
            && noise.contains(
                "STATE-X example: 2 forms: [401 UNAUTHORIZED \"Authentication required\"] in runs 1–1, \
                 [401 UNAUTHORIZED \"Token required\"] in runs 2–2"
            ),
        "{noise}"
    );
    let (changes, _) = compare("Please log in");
    let _ = std::fs::remove_dir_all(&base);
    assert_eq!(
        changes,
        [
            "example: message \"Token required\" -> \"Please log in\" (unlike all 2 recorded run(s); it varied between them too (2 forms))"
        ]
    );
}
