//! The suite's self-test: for each deliberate deviation of the emulator, the suite fails exactly on
//! the behaviours that deviation breaks, and nowhere else. A check that cannot fail would show up
//! here as a deviation nobody catches.

use std::collections::BTreeSet;
use std::time::Duration;

use verifik_conformance::emulator::Deviation;
use verifik_conformance::suite::runner::{self, RunResult};
use verifik_conformance::suite::{Outcome, RunSettings, TargetSpec};

const SEED: u64 = 20_261_126;

fn run(deviations: Vec<Deviation>) -> RunResult {
    let log = std::env::temp_dir().join(format!(
        "verifik-deviation-{}-{}.log",
        std::process::id(),
        deviations.first().map_or("none", |d| d.name())
    ));
    let args =
        libtest_mimic::Arguments { logfile: Some(log.display().to_string()), ..libtest_mimic::Arguments::default() };
    let settings =
        RunSettings { seed: SEED, cases: 16, max_requests: None, rate: None, timeout: Duration::from_secs(30) };
    let result = runner::run(TargetSpec::Embedded { deviations }, settings, &args);
    let _ = std::fs::remove_file(log);
    result
}

fn failed(result: &RunResult) -> BTreeSet<String> {
    result.records.iter().filter(|r| matches!(r.outcome, Outcome::Failed(_))).map(|r| r.name.clone()).collect()
}

/// The behaviours each deviation must fail, by trial name.
fn expected(d: Deviation) -> &'static [&'static str] {
    match d {
        Deviation::PersonAlreadySet400 => &["documented::BV-409-PERSON-ALREADY-SET", "stateful::STATE-RACE-ONE-200"],
        Deviation::OmitAssignedCollection => &[
            "auth::AUTH-OTHER-REGISTRATION",
            "documented::BV-200-FORCE-OVERRIDES",
            "documented::BV-200-OS-EACH",
            "documented::BV-200-PERSON-LINKED",
            "documented::BV-200-STATUS-ONGOING",
            "documented::BV-409-LIVENESS-BOUNDARY",
            "input::INPUT-DATA-URI-VALID",
            "input::INPUT-EXTRA-FIELDS",
            "stateful::STATE-ONE-CREDIT-PER-SUCCESS",
            "stateful::STATE-QUALITY-NO-ATTEMPT",
            "stateful::STATE-RACE-ONE-200",
            "stateful::STATE-REENCODE-SAME-DECISION",
        ],
        Deviation::UnprefixedCollectionMessage => &["documented::BV-409-COLLECTION-NOT-SET"],
        Deviation::IgnoreTokenExpiry => &["auth::AUTH-EXPIRED-1D", "auth::AUTH-EXPIRED-1S"],
        Deviation::IgnoreForce => &[
            "documented::BV-200-FORCE-OVERRIDES",
            "input::INPUT-DATA-URI-VALID",
            "stateful::STATE-ONE-CREDIT-PER-SUCCESS",
        ],
        Deviation::AcceptLowercaseOs => &["input::INPUT-OS-INVALID"],
        Deviation::InclusiveThreshold => &["documented::BV-409-LIVENESS-BOUNDARY"],
        Deviation::ChargeOnFailure => &["stateful::STATE-FAILURE-CREATES-NOTHING"],
        // Every behaviour that sends a valid request with os ANDROID sees the 500.
        Deviation::CrashOnAndroid => &[
            "documented::BV-200-OS-EACH",
            "documented::BV-409-PERSON-ALREADY-SET",
            "input::INPUT-DATA-URI-NO-FACE",
            "input::INPUT-DATA-URI-VALID",
        ],
        Deviation::LenientBase64 => &["input::INPUT-DATA-URI-URL-SAFE", "input::INPUT-DATA-URI-WHITESPACE"],
        // A small shift of the engine's scores keeps every decision here; `compare` catches it.
        Deviation::LivenessShift => &[],
        // Body validation answers only: an undecodable image is refused later, in the same code.
        Deviation::MissingParameter400 => &[
            "input::INPUT-DATA-URI-EMPTY",
            "input::INPUT-DATA-URI-MEDIA-TYPE",
            "input::INPUT-DATA-URI-NO-BASE64-MARKER",
            "input::INPUT-DATA-URI-PADDING",
            "input::INPUT-DATA-URI-SCHEME",
            "input::INPUT-DATA-URI-URL-SAFE",
            "input::INPUT-DATA-URI-WHITESPACE",
            "input::INPUT-DUPLICATE-FIELDS",
            "input::INPUT-FORCE-WRONG-TYPE",
            "input::INPUT-IMAGE-MISSING",
            "input::INPUT-IMAGE-WRONG-TYPE",
            "input::INPUT-NOT-OBJECT",
            "input::INPUT-OS-INVALID",
            "input::INPUT-OS-MISSING",
        ],
        Deviation::Unauthorized403 => &[
            "auth::AUTH-ALG-NONE",
            "auth::AUTH-MALFORMED",
            "auth::AUTH-MISSING-HEADER",
            "auth::AUTH-NOT-YET-VALID",
            "auth::AUTH-TAMPERED-SIGNATURE",
            "auth::AUTH-WRONG-SCHEME",
        ],
        Deviation::AcceptInactiveStatus => &[
            "documented::BV-404-STATUS-COMPLETED",
            "documented::BV-404-STATUS-COMPLETED-WITHOUT-KYC",
            "documented::BV-404-STATUS-EXPIRED",
            "documented::BV-404-STATUS-FAILED",
            "documented::BV-404-STATUS-NEEDS-MANUAL-VERIFICATION",
            "stateful::STATE-ATTEMPTS-EXHAUST",
        ],
    }
}

#[test]
fn the_conformant_emulator_passes_everything() {
    let result = run(Vec::new());
    assert_eq!(failed(&result), BTreeSet::new());
    assert!(result.conclusion.num_passed >= 50, "{} passed", result.conclusion.num_passed);
}

#[test]
fn each_deviation_fails_exactly_the_behaviours_it_breaks() {
    let mut wrong = Vec::new();
    for d in Deviation::ALL {
        let got = failed(&run(vec![d]));
        let want: BTreeSet<String> = expected(d).iter().map(|s| (*s).to_owned()).collect();
        if got != want {
            let missed: Vec<_> = want.difference(&got).collect();
            let extra: Vec<_> = got.difference(&want).collect();
            wrong.push(format!("{d}: not caught by {missed:?}; unexpectedly failed {extra:?}"));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}
