//! The documented outcomes of the central endpoint: 200 for each `os`, `person_already_set`, the
//! `force` override, `liveness_failed@<score>` and its boundary, `appRegistration_not_found` for an
//! unknown registration and for each inactive status, and `collection_not_set`.

use reqwest::StatusCode;
use serde_json::json;

use super::attacks::{liveness_failed_by_attacks, score_at_or_below};
use super::{face_body, read_registration, success};
use crate::api::{ErrorCode, Os, RegistrationStatus, Score};
use crate::suite::behaviour::{Behaviour, BehaviourId, Cost, Family, Kind, Strictness};
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::target::{Capability, ScriptStep, StateParams};

const PAGE: &str = "the vendor's page for POST /v2/biometric-validations/app-registration";

fn b(
    id: &'static str,
    strictness: Strictness,
    statement: &'static str,
    source: &'static str,
    needs: &'static [Capability],
    cost: (u32, u32),
    run: fn(&mut Probe<'_>) -> Result<(), Stop>,
) -> Behaviour {
    Behaviour {
        id: BehaviourId(id),
        family: Family::Documented,
        strictness,
        kind: Kind::Example,
        statement,
        source,
        needs,
        cost: Cost { requests: cost.0, charging: cost.1 },
        run,
    }
}

pub fn behaviours() -> Vec<Behaviour> {
    use Capability::*;
    let mut v = vec![
        b(
            "BV-200-OS-EACH",
            Strictness::Documented,
            "a fresh registration and a real face answer 200 with the documented body, for each os (DESKTOP, IOS, ANDROID)",
            PAGE,
            &[Registration],
            (6, 3),
            ok_for_each_os,
        ),
        b(
            "BV-200-PERSON-LINKED",
            Strictness::Documented,
            "after a 200 the person and the validation are linked, and the registration shows them",
            "\"A person record is automatically created and linked to the app registration.\"",
            &[Registration],
            (4, 1),
            person_linked,
        ),
        b(
            "BV-200-STATUS-ONGOING",
            Strictness::Documented,
            "a registration in ONGOING is accepted",
            "\"requires an active app registration session with status STARTED or ONGOING\"",
            &[SetUp],
            (3, 1),
            ongoing_accepted,
        ),
        b(
            "BV-409-PERSON-ALREADY-SET",
            Strictness::Documented,
            "a registration with a person answers 409 {\"code\":\"person_already_set\",\"message\":\"409:person_already_set\"} without force",
            PAGE,
            &[SetUp],
            (3, 1),
            person_already_set,
        ),
        b(
            "BV-200-FORCE-OVERRIDES",
            Strictness::Documented,
            "force: true on a registration with a person answers 200 with a new person and a new validation",
            "\"When set to true, this will override existing person records\"",
            &[SetUp],
            (3, 2),
            force_overrides,
        ),
        b(
            "BV-409-LIVENESS-FAILED",
            Strictness::Documented,
            "a score below the minimum answers 409 liveness_failed@<score>, the score parsed and at or below the flow's minimum (without provider states: the fixture set's attacks, until one is refused)",
            "\"The message includes the liveness score that failed the threshold.\"",
            &[Registration],
            (2, 0),
            liveness_failed,
        ),
        b(
            "BV-409-LIVENESS-BOUNDARY",
            Strictness::Inferred,
            "a score equal to the minimum fails (score > minScore), one hundredth above passes",
            "the standalone liveness endpoint's pass rule, applied here (README, decisions)",
            &[ProviderStates],
            (4, 1),
            liveness_boundary,
        ),
        b(
            "BV-404-UNKNOWN-REGISTRATION",
            Strictness::Documented,
            "a validly signed token of a registration that does not exist answers 404 appRegistration_not_found",
            PAGE,
            &[ProviderStates],
            (2, 0),
            unknown_registration,
        ),
        b(
            "BV-409-COLLECTION-NOT-SET",
            Strictness::Documented,
            "a project without a collection answers 409 {\"code\":\"collection_not_set\",\"message\":\"409:collection_not_set\"}",
            "\"The project must have an assigned collection for biometric data storage.\"",
            &[SetUp],
            (2, 0),
            collection_not_set,
        ),
    ];
    for status in [
        RegistrationStatus::Completed,
        RegistrationStatus::CompletedWithoutKyc,
        RegistrationStatus::Failed,
        RegistrationStatus::NeedsManualVerification,
        RegistrationStatus::Expired,
    ] {
        v.push(b(inactive_id(status), Strictness::Inferred, inactive_statement(status), "\"requires ... status STARTED or ONGOING\"; the 404 for other statuses is the emulator's decision (README)", if status == RegistrationStatus::Expired { &[ProviderStates] } else { &[SetUp] }, (3, 0), inactive_runner(status)));
    }
    v
}

fn inactive_id(s: RegistrationStatus) -> &'static str {
    match s {
        RegistrationStatus::Completed => "BV-404-STATUS-COMPLETED",
        RegistrationStatus::CompletedWithoutKyc => "BV-404-STATUS-COMPLETED-WITHOUT-KYC",
        RegistrationStatus::Failed => "BV-404-STATUS-FAILED",
        RegistrationStatus::NeedsManualVerification => "BV-404-STATUS-NEEDS-MANUAL-VERIFICATION",
        _ => "BV-404-STATUS-EXPIRED",
    }
}

fn inactive_statement(s: RegistrationStatus) -> &'static str {
    match s {
        RegistrationStatus::Completed => {
            "a registration in COMPLETED answers 404 appRegistration_not_found and is left unchanged"
        }
        RegistrationStatus::CompletedWithoutKyc => {
            "a registration in COMPLETED_WITHOUT_KYC answers 404 appRegistration_not_found and is left unchanged"
        }
        RegistrationStatus::Failed => {
            "a registration in FAILED answers 404 appRegistration_not_found and is left unchanged"
        }
        RegistrationStatus::NeedsManualVerification => {
            "a registration in NEEDS_MANUAL_VERIFICATION answers 404 appRegistration_not_found and is left unchanged"
        }
        _ => "a registration in EXPIRED answers 404 appRegistration_not_found and is left unchanged",
    }
}

fn inactive_runner(s: RegistrationStatus) -> fn(&mut Probe<'_>) -> Result<(), Stop> {
    match s {
        RegistrationStatus::Completed => |p| inactive(p, RegistrationStatus::Completed),
        RegistrationStatus::CompletedWithoutKyc => |p| inactive(p, RegistrationStatus::CompletedWithoutKyc),
        RegistrationStatus::Failed => |p| inactive(p, RegistrationStatus::Failed),
        RegistrationStatus::NeedsManualVerification => |p| inactive(p, RegistrationStatus::NeedsManualVerification),
        _ => |p| inactive(p, RegistrationStatus::Expired),
    }
}

fn not_found() -> serde_json::Value {
    json!({"code": "appRegistration_not_found", "message": "404:appRegistration_not_found"})
}

fn ok_for_each_os(p: &mut Probe<'_>) -> Result<(), Stop> {
    for os in Os::ALL {
        let reg = p.provision(&StateParams::default())?;
        let x = p.central_as(&reg.token, face_body(p, os))?;
        p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
        if x.status != StatusCode::OK {
            continue;
        }
        let Some(d) = success(p, &x) else { continue };
        if reg.registration.is_empty() {
            p.skip_check("same-registration", "the handed-in token does not name its registration");
        } else {
            p.expect(
                d.id == reg.registration,
                "same-registration",
                || format!("data._id is {} not {}", d.id, reg.registration),
                Some(&x),
            );
        }
        p.expect(
            d.status == RegistrationStatus::Started,
            "status-unchanged",
            || format!("status became {}", d.status),
            Some(&x),
        );
    }
    Ok(())
}

fn person_linked(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
    if x.status != StatusCode::OK {
        return Ok(());
    }
    let Some(d) = success(p, &x) else { return Ok(()) };
    p.expect(d.person.is_some(), "person-set", || "data.person is empty".into(), Some(&x));
    if let Some(read) = read_registration(p, &reg.registration, &reg.token)? {
        p.expect(
            read.person == d.person,
            "person-visible",
            || format!("the registration shows person {:?}, the 200 said {:?}", read.person, d.person),
            None,
        );
    }
    Ok(())
}

fn ongoing_accepted(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { status: RegistrationStatus::Ongoing, ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Ios))?;
    p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
    Ok(())
}

fn person_already_set(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { person_set: true, ..StateParams::default() })?;
    let expected = json!({"code": "person_already_set", "message": "409:person_already_set"});
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::exact_body(&x, StatusCode::CONFLICT, &expected), Some(&x));
    let body = json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": Os::Android, "force": false});
    let x = p.central_as(&reg.token, body)?;
    p.check(oracle::exact_body(&x, StatusCode::CONFLICT, &expected), Some(&x));
    Ok(())
}

fn force_overrides(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { person_set: true, ..StateParams::default() })?;
    let (old_person, old_bv) = (reg.person.clone(), reg.biometric_validation.clone());
    let x = p.central_as(&reg.token, json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": Os::Ios, "force": true}))?;
    p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
    if x.status != StatusCode::OK {
        return Ok(());
    }
    let Some(d) = success(p, &x) else { return Ok(()) };
    p.expect(
        d.person.is_some() && d.person != old_person,
        "new-person",
        || format!("person {:?} was {old_person:?}", d.person),
        Some(&x),
    );
    p.expect(
        d.biometric_validation.is_some() && d.biometric_validation != old_bv,
        "new-validation",
        || format!("biometricValidation {:?} was {old_bv:?}", d.biometric_validation),
        Some(&x),
    );
    Ok(())
}

fn liveness_failed(p: &mut Probe<'_>) -> Result<(), Stop> {
    if !p.ctx.provisioner.has(Capability::ProviderStates) {
        return liveness_failed_by_attacks(p);
    }
    let reg = p.provision(&StateParams { liveness_script: vec![ScriptStep::Score(0.45)], ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::error_is(&x, StatusCode::CONFLICT, ErrorCode::LivenessFailed), Some(&x));
    let Some(e) = p.read(x.error(), Some(&x)) else { return Ok(()) };
    let minimum = Score::from_hundredths(60).unwrap_or(Score::ZERO);
    score_at_or_below(p, &x, &e, Ok(minimum));
    p.expect(e.message == "409:liveness_failed@0.45", "message", || format!("message is {:?}", e.message), Some(&x));
    Ok(())
}

fn liveness_boundary(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams {
        liveness_script: vec![ScriptStep::Score(0.6), ScriptStep::Score(0.61)],
        ..StateParams::default()
    })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::status_is(&x, StatusCode::CONFLICT), Some(&x));
    if let Some(e) = p.read(x.error(), Some(&x)) {
        p.expect(
            e.message == "409:liveness_failed@0.60",
            "equal-fails",
            || format!("a score equal to the minimum gave {:?}", e.message),
            Some(&x),
        );
    }
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.expect(
        x.status == StatusCode::OK,
        "above-passes",
        || format!("0.61 above a 0.60 minimum answered {}", x.status.as_u16()),
        Some(&x),
    );
    Ok(())
}

fn unknown_registration(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { phantom: true, ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check(oracle::exact_body(&x, StatusCode::NOT_FOUND, &not_found()), Some(&x));
    Ok(())
}

fn inactive(p: &mut Probe<'_>, status: RegistrationStatus) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { status, ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::exact_body(&x, StatusCode::NOT_FOUND, &not_found()), Some(&x));
    if let Some(read) = read_registration(p, &reg.registration, &reg.token)? {
        p.expect(
            read.person.is_none(),
            "nothing-created",
            || format!("the registration now has person {:?}", read.person),
            None,
        );
        p.expect(read.status == status, "status-unchanged", || format!("status is now {}", read.status), None);
    }
    Ok(())
}

fn collection_not_set(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { collection: false, ..StateParams::default() })?;
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    let expected = json!({"code": "collection_not_set", "message": "409:collection_not_set"});
    p.check(oracle::exact_body(&x, StatusCode::CONFLICT, &expected), Some(&x));
    Ok(())
}
