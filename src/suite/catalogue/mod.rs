//! The behaviour catalogue: the suite's table of contents. One file per family; each behaviour is a
//! plain function with its id, statement, source and strictness next to it.

mod attacks;
mod auth;
mod body;
mod documented;
mod entry;
mod input;
mod stateful;

use std::collections::{BTreeMap, BTreeSet};

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::behaviour::Strictness;
use super::finding::{Check, Finding};
use super::oracle;
use super::probe::{Probe, Stop};
use super::property::{Case, CaseResult, case_check};
use crate::api::{CreditPage, ErrorBody, FailureKind, Os, QualityCode, RegistrationView};
use crate::deviation::Deviation;
use crate::target::{Call, Exchange, Provisioned, StateParams};
pub use entry::{Behaviour, ClaimId};

/// The deviations that break every behaviour meeting a 200 of the central endpoint (its body).
pub(crate) const MEETS_200: &[Deviation] = &[
    Deviation::OmitAssignedCollection,
    Deviation::ImageInSuccess,
    Deviation::UndocumentedField,
    Deviation::EchoTokenInRecord,
];
/// ... every behaviour meeting a MissingParameter from body validation (an image that does not decode
/// is refused later, by other code).
pub(crate) const MEETS_MISSING_PARAMETER: &[Deviation] = &[Deviation::MissingParameter400, Deviation::EchoTokenInError];
/// ... every behaviour meeting a 404 of the central endpoint (with a credential long enough to count).
pub(crate) const MEETS_404: &[Deviation] = &[Deviation::EchoTokenInHeader];
/// ... every behaviour that reads a registration back with a client token.
pub(crate) const READS_BACK: &[Deviation] = &[Deviation::EchoTokenInReadBack];

/// Every behaviour, sorted by trial name (stable order, stable names).
pub fn all() -> Vec<Behaviour> {
    let mut v = Vec::new();
    v.extend(documented::behaviours());
    v.extend(auth::behaviours());
    v.extend(input::behaviours());
    v.extend(stateful::behaviours());
    v.sort_by_key(|b| b.trial_name());
    v
}

/// The fixture face as the body the vendor documents.
pub(crate) fn face_body(p: &Probe<'_>, os: Os) -> Value {
    json!({"image": p.ctx.fixtures.face_jpeg_uri(), "os": os})
}

/// Reads a registration with its own token (the vendor lets a registration read itself); `None` when
/// its answer was unreadable, which is recorded as a finding.
pub(crate) fn read_registration(p: &mut Probe<'_>, id: &str, token: &str) -> Result<Option<RegistrationView>, Stop> {
    if id.is_empty() {
        p.skip_check(Check::ReadBack, "the registration's id is unknown (a handed-in token that does not name it)");
        return Ok(None);
    }
    let call = Call::get(format!("/v2/app-registrations/{id}?populates[]=person")).bearer(token);
    let x = p.send(&call)?;
    // A mock or a partial implementation may not serve the read-back route at all: the checks that
    // need it cannot be made, which is not the central endpoint's failure.
    if matches!(x.status, StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED | StatusCode::NOT_IMPLEMENTED) {
        p.skip_check(
            Check::ReadBack,
            format!("the target does not serve the registration read-back: {}", x.summary().redacted()),
        );
        return Ok(None);
    }
    if x.status != StatusCode::OK {
        return Err(Stop::Fail(format!("reading the registration back failed: {}", x.summary().redacted())));
    }
    Ok(p.read(x.registration("the registration read back"), Some(&x)))
}

/// Documented: a refused request creates nothing, so the registration still has no person.
pub(crate) fn still_empty(p: &mut Probe<'_>, id: &str, token: &str) -> Result<(), Stop> {
    if let Some(read) = read_registration(p, id, token)? {
        let found = read
            .person
            .map(|person| Finding::new(Check::NothingCreated, format!("the registration now has person {person}")));
        p.check_documented(found, None);
    }
    Ok(())
}

/// The successful validation a 200 reports, read through the contract's types.
pub(crate) fn success(p: &mut Probe<'_>, x: &Exchange) -> Option<RegistrationView> {
    p.read(x.registration("the 200 body"), Some(x))
}

/// A quality failure: `409:liveness_failed@<code>` with `failureKind: "quality"`; the body, when readable,
/// for further checks.
pub(crate) fn quality_failure(p: &mut Probe<'_>, x: &Exchange, code: QualityCode) -> Option<ErrorBody> {
    let e = p.read(x.error(), Some(x))?;
    p.check(oracle::liveness::quality_code_is(&e, code), Some(x));
    p.check(oracle::liveness::failure_kind_is(&e, FailureKind::Quality), Some(x));
    Some(e)
}

/// A client's usage records: each record by id, with the validation it names where the target says.
#[derive(Debug, Clone, Default)]
pub(crate) struct Usage {
    records: BTreeMap<String, Option<String>>,
}

/// Pages of the usage ledger read at most; a client with more records is not counted.
const MAX_LEDGER_PAGES: u64 = 10;
const LEDGER_PAGE: u64 = 100;

/// The client's usage records, counted one by one (a summary field is never trusted). `None` when
/// they cannot be counted; the reason is recorded (a finding for an unreadable list, a skipped check
/// for a missing client token or a ledger too long to count).
pub(crate) fn usage(p: &mut Probe<'_>, client_token: Option<&str>) -> Result<Option<Usage>, Stop> {
    let Some(token) = client_token else {
        p.skip_check(Check::Credits, "no client token is known for this target, so its usage credits cannot be read");
        return Ok(None);
    };
    let mut usage = Usage::default();
    for page in 1..=MAX_LEDGER_PAGES {
        let call =
            Call::get(format!("/v2/credits?where_category=usage&perPage={LEDGER_PAGE}&page={page}")).bearer(token);
        let x = p.send(&call)?;
        if x.status != StatusCode::OK {
            return Err(Stop::Fail(format!("reading the usage credits failed: {}", x.summary().redacted())));
        }
        // An unreadable page is the consistency oracle's finding already.
        let Ok(read) = CreditPage::read(x.body.as_ref()) else { return Ok(None) };
        for r in read.records {
            usage.records.insert(r.id, r.biometric_validation);
        }
        if page * LEDGER_PAGE >= read.total {
            return Ok(Some(usage));
        }
    }
    p.skip_check(
        Check::Credits,
        format!(
            "the client has more than {} usage records; counting them is not worth the requests",
            MAX_LEDGER_PAGES * LEDGER_PAGE
        ),
    );
    Ok(None)
}

/// Usage records charged between two readings: exactly one per success, each naming (where the target
/// names validations) one of the validations those successes created.
pub(crate) fn check_charges(p: &mut Probe<'_>, before: &Usage, after: &Usage, successes: &[RegistrationView]) {
    let new: Vec<(&String, &Option<String>)> =
        after.records.iter().filter(|(id, _)| !before.records.contains_key(*id)).collect();
    let gone = before.records.keys().filter(|id| !after.records.contains_key(*id)).count();
    p.expect(
        new.len() == successes.len() && gone == 0,
        Check::OneCreditPerSuccess,
        || format!("{} usage records were added and {gone} vanished for {} successes", new.len(), successes.len()),
        None,
    );
    if successes.is_empty() {
        return;
    }
    let named: Vec<(&String, &str)> = new.iter().filter_map(|(id, bv)| bv.as_deref().map(|bv| (*id, bv))).collect();
    if named.is_empty() {
        p.skip_check(Check::ChargeNamesItsValidation, "the target's usage records name no validation");
        return;
    }
    let created: BTreeSet<&str> = successes.iter().filter_map(|s| s.biometric_validation.as_deref()).collect();
    let strays: Vec<String> =
        named.iter().filter(|(_, bv)| !created.contains(bv)).map(|(id, bv)| format!("{id} names {bv}")).collect();
    p.expect(
        strays.is_empty(),
        Check::ChargeNamesItsValidation,
        || format!("usage records name validations no success created: {}", strays.join(", ")),
        None,
    );
}

/// A registration of its own for a behaviour, in the default state.
pub(crate) fn fresh(p: &mut Probe<'_>) -> Result<Provisioned, Stop> {
    p.provision(&StateParams::default())
}

/// One refused case: never accepted (documented), answered as `expected` says (inferred).
pub(crate) fn refused_case(
    case: &Case<'_>,
    call: &Call,
    expected: impl Fn(&Exchange) -> Option<oracle::Finding>,
) -> CaseResult {
    let x = case.send(call)?;
    case_check(Strictness::Documented, oracle::refused(&x), &x)?;
    case_check(Strictness::Inferred, expected(&x), &x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_trial_names_are_unique_and_stable() {
        let all = all();
        let mut ids: Vec<&str> = all.iter().map(|b| b.id.0).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), all.len(), "duplicate behaviour id");
        for b in &all {
            assert!(b.id.0.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-'), "{}", b.id);
            assert!(!b.statement.is_empty() && !b.source.is_empty(), "{}", b.id);
        }
    }
}
