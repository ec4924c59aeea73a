//! The documented outcomes of the central endpoint: 200 for each `os`, `person_already_set`, the
//! `force` override, `liveness_failed@<score>` and its boundary, `appRegistration_not_found` for an
//! unknown registration and for each inactive status, and `collection_not_set`.

use super::{MEETS_200, MEETS_404, READS_BACK};
use crate::deviation::Deviation;
use reqwest::StatusCode;
use serde_json::json;

use super::Behaviour;
use super::attacks::{liveness_failed_by_attacks, score_at_or_below};
use super::{face_body, read_registration, success};
use crate::api::{ErrorCode, Os, RegistrationStatus, Score};
use crate::suite::behaviour::Family;
use crate::suite::finding::Check;
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::target::{Capability, ScriptStep, StateParams};

const PAGE: &str = "the vendor's page for POST /v2/biometric-validations/app-registration";

const INACTIVE_SOURCE: &str = "\"requires ... status STARTED or ONGOING\"; the 404 for other statuses is the emulator's decision (docs/emulator.md)";

/// Registrations in a status other than STARTED or ONGOING, a row each: refused with 404
/// `appRegistration_not_found` and left unchanged.
const INACTIVE: [(&str, RegistrationStatus, &str); 5] = [
    (
        "BV-404-STATUS-COMPLETED",
        RegistrationStatus::Completed,
        "a registration in COMPLETED answers 404 appRegistration_not_found and is left unchanged",
    ),
    (
        "BV-404-STATUS-COMPLETED-WITHOUT-KYC",
        RegistrationStatus::CompletedWithoutKyc,
        "a registration in COMPLETED_WITHOUT_KYC answers 404 appRegistration_not_found and is left unchanged",
    ),
    (
        "BV-404-STATUS-FAILED",
        RegistrationStatus::Failed,
        "a registration in FAILED answers 404 appRegistration_not_found and is left unchanged",
    ),
    (
        "BV-404-STATUS-NEEDS-MANUAL-VERIFICATION",
        RegistrationStatus::NeedsManualVerification,
        "a registration in NEEDS_MANUAL_VERIFICATION answers 404 appRegistration_not_found and is left unchanged",
    ),
    (
        "BV-404-STATUS-EXPIRED",
        RegistrationStatus::Expired,
        "a registration in EXPIRED answers 404 appRegistration_not_found and is left unchanged",
    ),
];

pub(crate) fn behaviours() -> Vec<Behaviour> {
    use Capability::*;
    let mut v = vec![
        Behaviour::new(
            Family::Documented,
            "BV-200-OS-EACH",
            "a fresh registration and a real face answer 200 with the documented body, for each os (DESKTOP, IOS, ANDROID)",
            PAGE,
            ok_for_each_os,
        )
        .claims(&["ENDPOINT", "HEADER-AUTHORIZATION", "HEADER-CONTENT-TYPE", "SAMPLE-REQUEST-ACCEPTED", "RESP-200", "PARAM-OS-TYPE", "PARAM-OS-VALUES", "PARAM-FORCE-OPTIONAL", "RESP-200-ID", "RESP-200-CLIENT", "RESP-200-PROJECT", "RESP-200-PROJECT-FLOW", "RESP-200-STATUS", "RESP-200-ASSIGNED-COLLECTION", "RESP-200-CREATED-AT", "RESP-200-UPDATED-AT", "PARAM-IMAGE-FACE", "NOTE-IMAGE-PROCESSING"])
        .broken_by(&[MEETS_200, &[Deviation::CrashOnAndroid, Deviation::ReuseValidationId]])
        .documented()
        .needs(&[Registration])
        .cost(6, 3),
        Behaviour::new(
            Family::Documented,
            "BV-200-PERSON-LINKED",
            "after a 200 the person and the validation are linked, and the registration shows them",
            "\"A person record is automatically created and linked to the app registration.\"",
            person_linked,
        )
        .claims(&["NOTE-PERSON", "RESP-200-PERSON", "RESP-200-BIOMETRIC-VALIDATION"])
        .broken_by(&[MEETS_200, READS_BACK])
        .documented()
        .needs(&[Registration])
        .cost(4, 1),
        Behaviour::new(
            Family::Documented,
            "BV-200-STATUS-ONGOING",
            "a registration in ONGOING is accepted",
            "\"requires an active app registration session with status STARTED or ONGOING\"",
            ongoing_accepted,
        )
        .claims(&["NOTE-ACTIVE-STATUS", "DESC-MID-FLOW", "RESP-200-STATUS"])
        .broken_by(&[MEETS_200])
        .documented()
        .needs(&[SetUp])
        .cost(3, 1),
        Behaviour::new(
            Family::Documented,
            "BV-409-PERSON-ALREADY-SET",
            "a registration with a person answers 409 {\"code\":\"person_already_set\",\"message\":\"409:person_already_set\"} without force",
            PAGE,
            person_already_set,
        )
        .claims(&["RESP-409-PERSON-ALREADY-SET", "RESP-409-PERSON-ALREADY-SET-CODE", "RESP-409-PERSON-ALREADY-SET-MESSAGE", "PARAM-FORCE-DEFAULT"])
        .broken_by(&[&[Deviation::PersonAlreadySet400, Deviation::CrashOnAndroid]])
        .documented()
        .needs(&[SetUp])
        .cost(3, 1),
        Behaviour::new(
            Family::Documented,
            "BV-200-FORCE-OVERRIDES",
            "force: true on a registration with a person answers 200 with a new person and a new validation",
            "\"When set to true, this will override existing person records\"",
            force_overrides,
        )
        .claims(&["PARAM-FORCE-PURPOSE", "PARAM-FORCE-OVERRIDE", "NOTE-FORCE", "PARAM-FORCE-TYPE"])
        .broken_by(&[MEETS_200, &[Deviation::IgnoreForce]])
        .documented()
        .needs(&[SetUp])
        .cost(3, 2),
        Behaviour::new(
            Family::Documented,
            "BV-409-LIVENESS-FAILED",
            "a score below the minimum answers 409 liveness_failed@<score>, the score parsed and at or below the flow's minimum (without provider states: the fixture set's attacks, until one is refused)",
            "\"The message includes the liveness score that failed the threshold.\"",
            liveness_failed,
        )
        .claims(&["RESP-409-LIVENESS-FAILED", "RESP-409-LIVENESS-FAILED-CODE", "RESP-409-LIVENESS-FAILED-MESSAGE", "RESP-409-LIVENESS-SCORE", "NOTE-MIN-SCORE", "PARAM-IMAGE-FACE", "NOTE-IMAGE-PROCESSING"])
        .broken_by(&[&[Deviation::LivenessMessageMinimum]])
        .documented()
        .needs(&[Registration])
        .cost(2, 0),
        Behaviour::new(
            Family::Documented,
            "BV-409-LIVENESS-BOUNDARY",
            "a score equal to the minimum fails (score > minScore), one hundredth above passes",
            "the standalone liveness endpoint's pass rule, applied here (docs/emulator.md, decisions)",
            liveness_boundary,
        )
        .claims(&["NOTE-MIN-SCORE"])
        .broken_by(&[MEETS_200, &[Deviation::InclusiveThreshold]])
        .needs(&[ProviderStates])
        .cost(4, 1),
        Behaviour::new(
            Family::Documented,
            "BV-404-UNKNOWN-REGISTRATION",
            "a validly signed token of a registration that does not exist answers 404 appRegistration_not_found",
            PAGE,
            unknown_registration,
        )
        .claims(&["RESP-404", "RESP-404-CODE", "RESP-404-MESSAGE"])
        .broken_by(&[MEETS_404, &[Deviation::UnknownRegistration500]])
        .documented()
        .needs(&[ProviderStates])
        .cost(2, 0),
        Behaviour::new(
            Family::Documented,
            "BV-409-COLLECTION-NOT-SET",
            "a project without a collection answers 409 {\"code\":\"collection_not_set\",\"message\":\"409:collection_not_set\"}",
            "\"The project must have an assigned collection for biometric data storage.\"",
            collection_not_set,
        )
        .claims(&["RESP-409-COLLECTION-NOT-SET", "RESP-409-COLLECTION-NOT-SET-CODE", "RESP-409-COLLECTION-NOT-SET-MESSAGE", "NOTE-COLLECTION"])
        .broken_by(&[&[Deviation::UnprefixedCollectionMessage]])
        .documented()
        .needs(&[SetUp])
        .cost(2, 0),
    ];
    v.extend(INACTIVE.into_iter().map(|(id, status, statement)| {
        // EXPIRED is not a status a client token can put a registration in; only provider states can.
        let needs: &[Capability] = if status == RegistrationStatus::Expired { &[ProviderStates] } else { &[SetUp] };
        Behaviour::new(Family::Documented, id, statement, INACTIVE_SOURCE, move |p| inactive(p, status))
            .claims(&["NOTE-ACTIVE-STATUS", "DESC-MID-FLOW", "RESP-404", "RESP-404-CODE", "RESP-404-MESSAGE"])
            .broken_by(&[MEETS_404, READS_BACK, &[Deviation::AcceptInactiveStatus]])
            .needs(needs)
            .cost(3, 0)
    }));
    v
}

fn not_found() -> serde_json::Value {
    json!({"code": "appRegistration_not_found", "message": "404:appRegistration_not_found"})
}

fn ok_for_each_os(p: &mut Probe<'_>) -> Result<(), Stop> {
    for &os in Os::ALL {
        let reg = p.provision(&StateParams::default())?;
        let x = p.central_as(&reg.token, face_body(p, os))?;
        p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
        if x.status != StatusCode::OK {
            continue;
        }
        let Some(d) = success(p, &x) else { continue };
        if reg.registration.is_empty() {
            p.skip_check(Check::SameRegistration, "the handed-in token does not name its registration");
        } else {
            p.expect(
                d.id == reg.registration,
                Check::SameRegistration,
                || format!("data._id is {} not {}", d.id, reg.registration),
                Some(&x),
            );
        }
        p.expect(
            d.status == RegistrationStatus::Started,
            Check::StatusUnchanged,
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
    p.expect(d.person.is_some(), Check::PersonSet, || "data.person is empty".into(), Some(&x));
    if let Some(read) = read_registration(p, &reg.registration, &reg.token)? {
        p.expect(
            read.person == d.person,
            Check::PersonVisible,
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
        Check::NewPerson,
        || format!("person {:?} was {old_person:?}", d.person),
        Some(&x),
    );
    p.expect(
        d.biometric_validation.is_some() && d.biometric_validation != old_bv,
        Check::NewValidation,
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
    p.check(oracle::liveness::message_is(&e, Check::Message, "409:liveness_failed@0.45"), Some(&x));
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
        p.check(oracle::liveness::message_is(&e, Check::EqualFails, "409:liveness_failed@0.60"), Some(&x));
    }
    let x = p.central_as(&reg.token, face_body(p, Os::Desktop))?;
    p.expect(
        x.status == StatusCode::OK,
        Check::AbovePasses,
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
            Check::NothingCreated,
            || format!("the registration now has person {:?}", read.person),
            None,
        );
        p.expect(read.status == status, Check::StatusUnchanged, || format!("status is now {}", read.status), None);
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
