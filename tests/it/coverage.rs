//! `coverage` through the command line: removing a behaviour turns its claims untested and fails the
//! command; a saved copy of the page with one claim reworded and one sentence added names exactly those.

use crate::cli::{bin, temp, text};

#[test]
fn removing_a_behaviour_turns_its_claims_untested_and_fails() {
    let o = bin().arg("coverage").output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", text(&o));
    assert!(text(&o).contains("59 claim(s): 46 tested, 4 inferred-only, 9 untestable, 0 untested"), "{}", text(&o));
    let o = bin().args(["coverage", "--without", "BV-409-COLLECTION-NOT-SET"]).output().expect("runs");
    let said = text(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    assert!(said.contains("59 claim(s): 42 tested, 4 inferred-only, 9 untestable, 4 untested"), "{said}");
    assert!(
        said.contains(
            "error: 4 testable claim(s) untested: RESP-409-COLLECTION-NOT-SET, RESP-409-COLLECTION-NOT-SET-CODE, \
             RESP-409-COLLECTION-NOT-SET-MESSAGE, NOTE-COLLECTION"
        ),
        "{said}"
    );
    let o = bin().args(["coverage", "--without", "NOPE"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

#[test]
fn a_reworded_claim_and_an_added_sentence_are_named_and_nothing_else() {
    let page = include_str!("../../claims/page.txt");
    let edited = page
        .replace(
            "This endpoint automatically charges credits from your SmartEnroll plan.",
            "This endpoint charges one credit from your SmartEnroll plan for each successful validation.",
        )
        .replace(
            "- Force Flag: Use the force flag",
            "- Rate Limits: Each project may create 100 validations per hour.\n- Force Flag: Use the force flag",
        );
    let dir = temp("coverage-page");
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("page.txt");
    std::fs::write(&path, edited).expect("written");
    let o = bin().args(["coverage", "--page"]).arg(&path).output().expect("runs");
    let said = text(&o);
    assert_eq!(o.status.code(), Some(1), "{said}");
    let lines: Vec<&str> = said.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(
        lines,
        [
            "changed: NOTE-CREDITS (line 135 now reads \"- Credit Charging: This endpoint charges one credit from your SmartEnroll plan for each successful validation.\"); revisit STATE-FAILURE-CREATES-NOTHING, STATE-ONE-CREDIT-PER-SUCCESS, STATE-PAYMENT-REQUIRED, STATE-RACE-ONE-200",
            "not covered by any claim: line 137: \"- Rate Limits: Each project may create 100 validations per hour.\"",
            "the page against 59 claim(s): 58 unchanged, 1 changed, 0 gone; 1 sentence(s) no claim covers",
        ],
        "{said}"
    );
    let o = bin()
        .args(["coverage", "--page", "claims/page.txt"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "the committed page is unchanged: {}", text(&o));
    let _ = std::fs::remove_dir_all(dir);
}

/// Contract coverage tells a gap of the suite from a finding about the target: against an emulator that
/// answers MissingParameter with 400, the 409 MissingParameter that the conformant emulator gives the same
/// behaviour is "asked and not returned"; a field no set-up gives a registration is "not asked".
#[test]
fn contract_coverage_tells_what_was_asked_and_not_returned_from_what_was_never_asked() {
    let dir = temp("contract");
    std::fs::create_dir_all(&dir).expect("dir");
    let file = dir.join("contract.json");
    let run = |extra: &[&str]| {
        let o = bin()
            .args(["run", "--seed", "5", "--cases", "2", "--contract-coverage"])
            .arg(&file)
            .args(extra)
            .output()
            .expect("runs");
        let items: serde_json::Value = serde_json::from_slice(&std::fs::read(&file).expect("written")).expect("JSON");
        (o.status.code(), text(&o), items)
    };
    let seen = |items: &serde_json::Value, item: &str| -> String {
        let found = items
            .as_array()
            .expect("a list")
            .iter()
            .find(|i| [&i["code"], &i["field"]].iter().any(|v| v.as_str() == Some(item)));
        found.map_or(String::new(), |i| i["seen"].as_str().unwrap_or_default().to_owned())
    };
    let (code, said, items) = run(&["INPUT-OS-MISSING"]);
    assert_eq!(code, Some(0), "{said}");
    assert_eq!(seen(&items, "MissingParameter"), "returned", "{said}");
    assert_eq!(seen(&items, "phone"), "not-asked", "{said}");
    let (code, said, items) = run(&["--deviate", "missing-parameter-400", "INPUT-OS-MISSING"]);
    assert_eq!(code, Some(1), "{said}");
    assert_eq!(seen(&items, "MissingParameter"), "asked-not-returned", "{said}");
    assert!(
        said.contains("409 MissingParameter                 asked-not-returned   asked by INPUT-OS-MISSING"),
        "{said}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
