//! Stateful and metamorphic behaviours: what a request leaves behind (persons, credits, attempts),
//! that the same face decides the same whatever its encoding, and that racing first validations
//! produce exactly one person.

use super::{MEETS_200, MEETS_404, READS_BACK};
use crate::deviation::Deviation;
use reqwest::StatusCode;
use serde_json::json;

use super::Behaviour;
use super::{check_charges, face_body, quality_failure, read_registration, still_empty, success, usage};
use crate::api::CENTRAL_PATH;
use crate::api::{ErrorCode, FailureKind, Os, QualityCode, RegistrationStatus, RegistrationView};
use crate::suite::behaviour::Family;
use crate::suite::finding::Check;
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::target::{Call, Capability, Exchange, ScriptStep, StateParams};

/// Racing requests per race.
const RACERS: usize = 8;

pub(crate) fn behaviours() -> Vec<Behaviour> {
    use Capability::*;
    vec![
        Behaviour::new(
            Family::Stateful,
            "STATE-FAILURE-CREATES-NOTHING",
            "a liveness failure links no person and charges no credit",
            "the emulator's decisions (failures are free); the vendor is silent",
            failure_creates_nothing,
        )
        .claims(&["NOTE-CREDITS", "NOTE-PERSON"])
        .broken_by(&[READS_BACK, &[Deviation::ChargeOnFailure, Deviation::LivenessMessageMinimum, Deviation::OmitCreditTotal]])
        .needs(&[ProviderStates, ClientToken])
        .cost(5, 0),
        Behaviour::new(
            Family::Stateful,
            "STATE-ONE-CREDIT-PER-SUCCESS",
            "each 200 (including a forced one) charges exactly one usage credit",
            "\"This endpoint automatically charges credits\"; one per success is the emulator's decision",
            one_credit_per_success,
        )
        .claims(&["NOTE-CREDITS"])
        .broken_by(&[MEETS_200, &[Deviation::IgnoreForce, Deviation::DuplicateCreditRecord, Deviation::ReuseValidationId, Deviation::OmitCreditTotal]])
        .needs(&[Registration, ClientToken])
        .cost(6, 2),
        Behaviour::new(
            Family::Stateful,
            "STATE-REENCODE-SAME-DECISION",
            "the same face as JPEG with metadata, JPEG without and PNG gets the same decision",
            "metamorphic: an encoding is not a liveness cue",
            reencode_same_decision,
        )
        .claims(&["NOTE-IMAGE-PROCESSING", "PARAM-IMAGE-DATA-URI"])
        .broken_by(&[MEETS_200, &[Deviation::ReuseValidationId]])
        .needs(&[Registration])
        .cost(6, 3),
        Behaviour::new(
            Family::Stateful,
            "STATE-RACE-ONE-200",
            "8 simultaneous first validations of one registration give exactly one 200, the rest person_already_set, and one credit",
            "the emulator's concurrency decision (docs/emulator.md)",
            race,
        )
        .claims(&["RESP-409-PERSON-ALREADY-SET", "RESP-409-PERSON-ALREADY-SET-CODE", "NOTE-CREDITS"])
        .broken_by(&[MEETS_200, &[Deviation::PersonAlreadySet400, Deviation::DuplicateCreditRecord, Deviation::ReuseValidationId, Deviation::OmitCreditTotal]])
        .needs(&[Registration])
        .cost(11, 1),
        Behaviour::new(
            Family::Stateful,
            "STATE-ATTEMPTS-EXHAUST",
            "score failures count remainingAttempts down 2, 1, 0; then the registration is FAILED and answers 404",
            "the vendor front end's attempt rules; the emulator's decisions",
            attempts_exhaust,
        )
        .claims(&["RESP-409-LIVENESS-FAILED", "NOTE-ACTIVE-STATUS"])
        .broken_by(&[MEETS_404, READS_BACK, &[Deviation::LivenessMessageMinimum, Deviation::AcceptInactiveStatus]])
        .needs(&[ProviderStates])
        .cost(6, 0),
        Behaviour::new(
            Family::Stateful,
            "STATE-QUALITY-NO-ATTEMPT",
            "quality failures keep remainingAttempts at the limit, and a later good photo passes",
            "the vendor front end: quality reasons do not consume an attempt",
            quality_no_attempt,
        )
        .claims(&["PARAM-IMAGE-FACE"])
        .broken_by(&[MEETS_200])
        .needs(&[ProviderStates])
        .cost(6, 1),
        Behaviour::new(
            Family::Stateful,
            "STATE-PAYMENT-REQUIRED",
            "an empty credit balance answers 402 PaymentRequired and creates nothing",
            "the vendor front end's PaymentRequired; the emulator's decisions",
            payment_required,
        )
        .claims(&["NOTE-CREDITS"])
        .broken_by(&[READS_BACK, &[Deviation::FreeOnEmptyBalance]])
        .needs(&[ProviderStates])
        .cost(3, 0),
    ]
}

fn failure_creates_nothing(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams {
        liveness_script: vec![ScriptStep::Score(0.3), ScriptStep::Quality(QualityCode::NoFaceDetected)],
        ..StateParams::default()
    })?;
    let before = usage(p, reg.client_token.as_deref())?;
    for _ in 0..2 {
        let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
        p.check(oracle::status_is(&x, StatusCode::CONFLICT), Some(&x));
    }
    still_empty(p, &reg.registration, &reg.token)?;
    let after = usage(p, reg.client_token.as_deref())?;
    if let (Some(before), Some(after)) = (&before, &after) {
        check_charges(p, before, after, &[]);
    }
    Ok(())
}

fn one_credit_per_success(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    let mut last = usage(p, reg.client_token.as_deref())?;
    for force in [false, true] {
        let x = p.central_as(
            &reg.token,
            json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": Os::Desktop, "force": force}),
        )?;
        p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
        let created = if x.status == StatusCode::OK { success(p, &x) } else { None };
        let now = usage(p, reg.client_token.as_deref())?;
        if let (Some(before), Some(after)) = (&last, &now) {
            check_charges(p, before, after, created.as_slice());
        }
        last = now;
    }
    Ok(())
}

fn reencode_same_decision(p: &mut Probe<'_>) -> Result<(), Stop> {
    let mut decisions = Vec::new();
    for img in p.ctx.fixtures.faces() {
        let reg = p.provision(&StateParams::default())?;
        let x = p.central_as(&reg.token, json!({"image": img.data_uri(), "os": Os::Desktop}))?;
        let code = if x.status.is_success() { None } else { x.error().ok().map(|e| e.code) };
        decisions.push((img.name.clone(), x.status.as_u16(), code));
    }
    let first = decisions.first().map(|d| (d.1, d.2.clone()));
    let same = decisions.iter().all(|d| Some((d.1, d.2.clone())) == first);
    p.expect(same, Check::SameDecision, || format!("decisions differ by encoding: {decisions:?}"), None);
    Ok(())
}

fn race(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    let before = usage(p, reg.client_token.as_deref())?;
    let call = Call::post(CENTRAL_PATH, face_body(p, Os::Ios)).bearer(&reg.token);
    let answers = p.send_all(vec![call; RACERS])?;
    let already_set = |x: &Exchange| x.error().is_ok_and(|e| e.known_code() == Some(ErrorCode::PersonAlreadySet));
    let ok: Vec<&Exchange> = answers.iter().filter(|x| x.status == StatusCode::OK).collect();
    let conflicts = answers.iter().filter(|x| x.status == StatusCode::CONFLICT && already_set(x)).count();
    p.expect(
        ok.len() == 1 && conflicts == RACERS - 1,
        Check::ExactlyOne200,
        || {
            let seen: Vec<String> =
                answers.iter().map(|x| format!("{} {:?}", x.status.as_u16(), x.error().ok().map(|e| e.code))).collect();
            format!("{RACERS} racers got {seen:?}")
        },
        None,
    );
    let successes: Vec<RegistrationView> = ok.into_iter().filter_map(|x| success(p, x)).collect();
    let after = usage(p, reg.client_token.as_deref())?;
    if let (Some(before), Some(after)) = (&before, &after) {
        check_charges(p, before, after, &successes);
    }
    Ok(())
}

fn attempts_exhaust(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams {
        liveness_script: vec![ScriptStep::Score(0.1), ScriptStep::Score(0.2), ScriptStep::Score(0.3)],
        ..StateParams::default()
    })?;
    for remaining in [2, 1, 0] {
        let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
        p.check(oracle::status_is(&x, StatusCode::CONFLICT), Some(&x));
        let Some(e) = p.read(x.error(), Some(&x)) else { continue };
        p.check(oracle::liveness::remaining_attempts_is(&e, remaining), Some(&x));
        p.check(oracle::liveness::failure_kind_is(&e, FailureKind::Score), Some(&x));
    }
    if let Some(read) = read_registration(p, &reg.registration, &reg.token)? {
        p.expect(
            read.status == RegistrationStatus::Failed,
            Check::FailedStatus,
            || format!("status is {}", read.status),
            None,
        );
    }
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::status_is(&x, StatusCode::NOT_FOUND), Some(&x));
    Ok(())
}

fn quality_no_attempt(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams {
        liveness_script: QualityCode::ALL.iter().copied().map(ScriptStep::Quality).collect(),
        ..StateParams::default()
    })?;
    for &code in QualityCode::ALL {
        let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
        let Some(e) = quality_failure(p, &x, code) else { continue };
        // A quality failure uses no attempt: the count stays at the limit.
        p.check(oracle::liveness::remaining_attempts_is(&e, 3), Some(&x));
    }
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
    Ok(())
}

fn payment_required(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { credits: Some(0), ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::error_is(&x, StatusCode::PAYMENT_REQUIRED, ErrorCode::PaymentRequired), Some(&x));
    still_empty(p, &reg.registration, &reg.token)
}
