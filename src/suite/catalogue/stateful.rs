//! Stateful and metamorphic behaviours: what a request leaves behind (persons, credits, attempts),
//! that the same face decides the same whatever its encoding, and that racing first validations
//! produce exactly one person.

use serde_json::json;

use super::{face_body, read_registration, still_empty, usage_credits};
use crate::suite::behaviour::{Behaviour, BehaviourId, Cost, Family, Kind, Strictness};
use crate::suite::oracle;
use crate::suite::probe::{CENTRAL, Probe, Stop};
use crate::target::{Call, Capability, ScriptStep, StateParams};

fn b(
    id: &'static str,
    statement: &'static str,
    source: &'static str,
    needs: &'static [Capability],
    cost: (u32, u32),
    run: fn(&mut Probe<'_>) -> Result<(), Stop>,
) -> Behaviour {
    Behaviour {
        id: BehaviourId(id),
        family: Family::Stateful,
        strictness: Strictness::Inferred,
        kind: Kind::Example,
        statement,
        source,
        needs,
        cost: Cost { requests: cost.0, charging: cost.1 },
        run,
    }
}

/// Racing requests per race.
const RACERS: usize = 8;

pub fn behaviours() -> Vec<Behaviour> {
    use Capability::*;
    vec![
        b(
            "STATE-FAILURE-CREATES-NOTHING",
            "a liveness failure links no person and charges no credit",
            "the emulator's decisions (failures are free); the vendor is silent",
            &[ProviderStates, ClientToken],
            (5, 0),
            failure_creates_nothing,
        ),
        b(
            "STATE-ONE-CREDIT-PER-SUCCESS",
            "each 200 (including a forced one) charges exactly one usage credit",
            "\"This endpoint automatically charges credits\"; one per success is the emulator's decision",
            &[Registration, ClientToken],
            (6, 2),
            one_credit_per_success,
        ),
        b(
            "STATE-REENCODE-SAME-DECISION",
            "the same face as JPEG with metadata, JPEG without and PNG gets the same decision",
            "metamorphic: an encoding is not a liveness cue",
            &[Registration],
            (6, 3),
            reencode_same_decision,
        ),
        b(
            "STATE-RACE-ONE-200",
            "8 simultaneous first validations of one registration give exactly one 200, the rest person_already_set, and one credit",
            "the emulator's concurrency decision (README)",
            &[Registration],
            (11, 1),
            race,
        ),
        b(
            "STATE-ATTEMPTS-EXHAUST",
            "score failures count remainingAttempts down 2, 1, 0; then the registration is FAILED and answers 404",
            "the vendor front end's attempt rules; the emulator's decisions",
            &[ProviderStates],
            (6, 0),
            attempts_exhaust,
        ),
        b(
            "STATE-QUALITY-NO-ATTEMPT",
            "quality failures keep remainingAttempts at the limit, and a later good photo passes",
            "the vendor front end: quality reasons do not consume an attempt",
            &[ProviderStates],
            (6, 1),
            quality_no_attempt,
        ),
        b(
            "STATE-PAYMENT-REQUIRED",
            "an empty credit balance answers 402 PaymentRequired and creates nothing",
            "the vendor front end's PaymentRequired; the emulator's decisions",
            &[ProviderStates],
            (3, 0),
            payment_required,
        ),
    ]
}

fn failure_creates_nothing(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams {
        liveness_script: vec![ScriptStep::Score(0.3), ScriptStep::Quality("ERR_NO_FACE_DETECTED")],
        ..StateParams::default()
    })?;
    let before = usage_credits(p, reg.client_token.as_deref())?;
    for _ in 0..2 {
        let x = p.central_as(&reg.token, face_body(p, "DESKTOP"))?;
        p.check(oracle::status_is(&x, 409), Some(&x));
    }
    still_empty(p, &reg.registration, &reg.token)?;
    let after = usage_credits(p, reg.client_token.as_deref())?;
    p.expect(before == after, "no-charge", || format!("usage credits went from {before:?} to {after:?}"), None);
    Ok(())
}

fn one_credit_per_success(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    if reg.client_token.is_none() {
        return Err(Stop::Skip("no client token is known for this target".into()));
    }
    let mut last = usage_credits(p, reg.client_token.as_deref())?;
    for force in [false, true] {
        let x = p.central_as(
            &reg.token,
            json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": "DESKTOP", "force": force}),
        )?;
        p.check(oracle::status_is(&x, 200), Some(&x));
        let now = usage_credits(p, reg.client_token.as_deref())?;
        let expected = last.map(|n| n + u64::from(x.status == 200));
        p.expect(
            now == expected,
            "one-credit",
            || format!("usage credits went from {last:?} to {now:?} after a {}", x.status),
            Some(&x),
        );
        last = now;
    }
    Ok(())
}

fn reencode_same_decision(p: &mut Probe<'_>) -> Result<(), Stop> {
    let mut decisions = Vec::new();
    for img in p.ctx.fixtures.faces() {
        let reg = p.provision(&StateParams::default())?;
        let x = p.central_as(&reg.token, json!({"image": img.data_uri(), "os": "DESKTOP"}))?;
        decisions.push((img.name.clone(), x.status, x.json()["code"].clone()));
    }
    let first = decisions.first().map(|d| (d.1, d.2.clone()));
    let same = decisions.iter().all(|d| Some((d.1, d.2.clone())) == first);
    p.expect(same, "same-decision", || format!("decisions differ by encoding: {decisions:?}"), None);
    Ok(())
}

fn race(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    let before = usage_credits(p, reg.client_token.as_deref())?;
    let call = Call::post(CENTRAL, face_body(p, "IOS")).bearer(&reg.token);
    let results = p.ctx.send_all(vec![call; RACERS]);
    let mut statuses = Vec::new();
    for r in results {
        let x = r.map_err(|e| Stop::Fail(e.to_string()))?;
        for (strictness, finding) in p.ctx.generic_findings(&x) {
            if strictness == Strictness::Documented {
                p.check_documented(Some(finding), Some(&x));
            }
        }
        statuses.push((x.status, x.json()["code"].as_str().unwrap_or_default().to_owned()));
    }
    let ok = statuses.iter().filter(|s| s.0 == 200).count();
    let conflicts = statuses.iter().filter(|s| s.0 == 409 && s.1 == "person_already_set").count();
    p.expect(
        ok == 1 && conflicts == RACERS - 1,
        "exactly-one-200",
        || format!("{RACERS} racers got {statuses:?}"),
        None,
    );
    let after = usage_credits(p, reg.client_token.as_deref())?;
    if let (Some(b), Some(a)) = (before, after) {
        p.expect(a == b + 1, "one-credit", || format!("usage credits went from {b} to {a}"), None);
    }
    Ok(())
}

fn attempts_exhaust(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams {
        liveness_script: vec![ScriptStep::Score(0.1), ScriptStep::Score(0.2), ScriptStep::Score(0.3)],
        ..StateParams::default()
    })?;
    for remaining in [2, 1, 0] {
        let x = p.central_as(&reg.token, face_body(p, "DESKTOP"))?;
        p.check(oracle::status_is(&x, 409), Some(&x));
        p.expect(
            x.json()["remainingAttempts"] == remaining,
            "remaining-attempts",
            || format!("remainingAttempts is {}, expected {remaining}", x.json()["remainingAttempts"]),
            Some(&x),
        );
        p.expect(
            x.json()["failureKind"] == "score",
            "failure-kind",
            || format!("failureKind is {}", x.json()["failureKind"]),
            Some(&x),
        );
    }
    let read = read_registration(p, &reg.registration, &reg.token)?;
    p.expect(
        read.json()["data"]["status"] == "FAILED",
        "failed-status",
        || format!("status is {}", read.json()["data"]["status"]),
        Some(&read),
    );
    let x = p.central_as(&reg.token, face_body(p, "DESKTOP"))?;
    p.check(oracle::status_is(&x, 404), Some(&x));
    Ok(())
}

fn quality_no_attempt(p: &mut Probe<'_>) -> Result<(), Stop> {
    let codes = [
        "ERR_NO_FACE_DETECTED",
        "ERR_MULTIPLE_FACES_DETECTED",
        "ERR_LIVENESS_FACE_TOO_SMALL",
        "ERR_LIVENESS_FACE_CLOSE_TO_BORDER",
    ];
    let reg = p.provision(&StateParams {
        liveness_script: codes.iter().map(|c| ScriptStep::Quality(c)).collect(),
        ..StateParams::default()
    })?;
    for code in codes {
        let x = p.central_as(&reg.token, face_body(p, "DESKTOP"))?;
        p.expect(
            x.json()["message"] == format!("409:liveness_failed@{code}"),
            "provider-code",
            || format!("message is {}", x.json()["message"]),
            Some(&x),
        );
        p.expect(
            x.json()["failureKind"] == "quality",
            "failure-kind",
            || format!("failureKind is {}", x.json()["failureKind"]),
            Some(&x),
        );
        p.expect(
            x.json()["remainingAttempts"] == 3,
            "no-attempt-used",
            || format!("remainingAttempts is {}", x.json()["remainingAttempts"]),
            Some(&x),
        );
    }
    let x = p.central_as(&reg.token, face_body(p, "DESKTOP"))?;
    p.check(oracle::status_is(&x, 200), Some(&x));
    Ok(())
}

fn payment_required(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { credits: Some(0), ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, "DESKTOP"))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.expect(
        x.status == 402 && x.json()["code"] == "PaymentRequired",
        "payment-required",
        || format!("got {} {}", x.status, x.json()["code"]),
        Some(&x),
    );
    still_empty(p, &reg.registration, &reg.token)
}
