//! The central endpoint, `POST /v2/biometric-validations/app-registration`, and the retrieve route of
//! the validations it creates.
//!
//! The order of checks is part of the emulator's documented behaviour: auth (extractor) → body →
//! registration lookup → collection → person already set (unless `force`) → credit balance → image
//! decode and quality → liveness score → person, validation and charge (one transaction that re-checks
//! every precondition).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::header::AUTHORIZATION;
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::JsonResult;
use crate::api::{DataUri, ErrorBody, ErrorCode, FailureKind, Os, Score};
use crate::emulator::auth::{AnyAuth, RegistrationAuth};
use crate::emulator::body::{Field, JsonBytes, json_type, parse_object};
use crate::emulator::deviation::Deviation;
use crate::emulator::error::ApiError;
use crate::emulator::liveness::{self, Assessment};
use crate::emulator::model::{ProjectFlow, Registration};
use crate::emulator::state::AppState;
use crate::emulator::store::{self, Commit, Failure, Success};

#[derive(Deserialize)]
struct RawBody<'a> {
    #[serde(borrow)]
    image: Option<Field<'a>>,
    os: Option<Value>,
    force: Option<Value>,
}

/// A request that passed body validation.
struct Request {
    image: DataUri,
    os: Os,
    force: bool,
}

/// Joi-style validation in field order `image`, `os`, `force`; every message names its field. A JSON
/// `null` counts as absent (serde folds the two), so `"force": null` means `false`.
fn validate(state: &AppState, raw: RawBody<'_>) -> Result<Request, ApiError> {
    let image = match raw.image {
        None => return Err(ApiError::missing_parameter("\"image\" is required")),
        Some(Field::Text(s)) => {
            let s = if state.deviates(Deviation::LenientBase64) { lenient_base64(&s).into() } else { s };
            DataUri::parse(&s).map_err(|e| ApiError::missing_parameter(format!("\"image\" {e}")))?
        }
        Some(Field::Other(json_type)) => {
            return Err(ApiError::missing_parameter(format!("\"image\" must be a string, not {json_type}")));
        }
    };
    let os = match raw.os {
        None | Some(Value::Null) => return Err(ApiError::missing_parameter("\"os\" is required")),
        Some(Value::String(s)) => {
            let s = if state.deviates(Deviation::AcceptLowercaseOs) { s.to_ascii_uppercase() } else { s };
            s.parse::<Os>().map_err(|_| ApiError::missing_parameter("\"os\" must be one of [DESKTOP, IOS, ANDROID]"))?
        }
        Some(other) => {
            return Err(ApiError::missing_parameter(format!("\"os\" must be a string, not {}", json_type(&other))));
        }
    };
    let force = match raw.force {
        None => false,
        Some(Value::Bool(b)) => b,
        Some(other) => {
            return Err(ApiError::missing_parameter(format!("\"force\" must be a boolean, not {}", json_type(&other))));
        }
    };
    Ok(Request { image, os, force })
}

/// The `lenient-base64` deviation: whitespace dropped and the URL-safe alphabet translated.
fn lenient_base64(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '-' => '+',
            '_' => '/',
            other => other,
        })
        .collect()
}

fn person_already_set(state: &AppState) -> ApiError {
    let status =
        if state.deviates(Deviation::PersonAlreadySet400) { StatusCode::BAD_REQUEST } else { StatusCode::CONFLICT };
    ApiError::new(status, ErrorBody::prefixed(409, ErrorCode::PersonAlreadySet, None))
}

fn collection_not_set(state: &AppState) -> ApiError {
    let mut e = ApiError::prefixed(StatusCode::CONFLICT, ErrorCode::CollectionNotSet, None);
    if state.deviates(Deviation::UnprefixedCollectionMessage) {
        e.body.message = ErrorCode::CollectionNotSet.as_str().to_owned();
    }
    e
}

enum Precheck {
    Ready(Box<(Registration, ProjectFlow)>),
    Refused(ApiError),
}

pub(crate) async fn create(
    State(state): State<AppState>,
    RegistrationAuth(claims): RegistrationAuth,
    headers: HeaderMap,
    JsonBytes(bytes): JsonBytes,
) -> JsonResult {
    if let Some(retry_after) = state.throttle(&claims.project) {
        return Err(ApiError::rate_limited(retry_after));
    }
    let parsed = match parse_object::<RawBody>(&bytes) {
        Err(e) if state.deviates(Deviation::NotJsonAsEmpty) && e.body.code == ErrorCode::BadRequest.as_str() => {
            Ok(RawBody { image: None, os: None, force: None })
        }
        other => other,
    };
    let req = match parsed.and_then(|raw| validate(&state, raw)) {
        Ok(req) => req,
        Err(mut e) if e.body.code == ErrorCode::MissingParameter.as_str() => {
            if state.deviates(Deviation::MissingParameter400) {
                e.status = StatusCode::BAD_REQUEST;
            }
            if let (true, Some(auth)) = (state.deviates(Deviation::EchoTokenInError), headers.get(AUTHORIZATION)) {
                e.body.message = format!("{} (request authorised by {})", e.body.message, auth.to_str().unwrap_or("?"));
            }
            return Err(e);
        }
        Err(e) => return Err(e),
    };
    if req.os == Os::Android && state.deviates(Deviation::CrashOnAndroid) {
        return Err(ApiError::internal());
    }
    let force = req.force && !state.deviates(Deviation::IgnoreForce);
    let require_active = !state.deviates(Deviation::AcceptInactiveStatus);
    let require_balance = !state.deviates(Deviation::FreeOnEmptyBalance);
    let crash_on_unknown = state.deviates(Deviation::UnknownRegistration500);
    let client = claims.client.clone();
    let reg_id = claims.app_registration_id.clone();
    let (refuse_collection, refuse_person) = (collection_not_set(&state), person_already_set(&state));
    let pre = state
        .store
        .call(move |c| {
            let active = |r: &Registration| r.status.is_active() || !require_active;
            let found = store::registration(c, &reg_id)?;
            if found.is_none() && crash_on_unknown {
                return Ok(Precheck::Refused(ApiError::internal()));
            }
            let Some(reg) = found.filter(|r| active(r) && r.client == client) else {
                return Ok(Precheck::Refused(ApiError::registration_not_found()));
            };
            if store::collection_of(c, &reg)?.is_none() {
                return Ok(Precheck::Refused(refuse_collection));
            }
            if reg.person.is_some() && !force {
                return Ok(Precheck::Refused(refuse_person));
            }
            if require_balance && store::balance(c, &reg.client)? <= 0 {
                return Ok(Precheck::Refused(ApiError::payment_required()));
            }
            let flow = store::flow(c, &reg.project_flow)?
                .ok_or_else(|| store::StoreError::Corrupt(format!("flow of registration {} is missing", reg.id)))?;
            Ok(Precheck::Ready(Box::new((reg, flow))))
        })
        .await?;
    let (reg, flow) = match pre {
        Precheck::Ready(ready) => *ready,
        Precheck::Refused(e) => return Err(e),
    };

    let engine = state.engine.clone();
    let image = req.image;
    let submitted = state.deviates(Deviation::ImageInSuccess).then(|| image.encode());
    let rules = liveness::DecodeRules {
        trust_label: !state.deviates(Deviation::SniffImageType),
        whole_jpeg: !state.deviates(Deviation::AcceptTruncatedImage),
    };
    let judged = tokio::task::spawn_blocking(move || {
        liveness::decode_with(&image, rules).map(|decoded| (engine.assess(&decoded), decoded.digest))
    })
    .await
    .map_err(|_| ApiError::from(store::StoreError::Worker))?;
    let (assessed, digest) = judged.map_err(|e| ApiError::missing_parameter(format!("\"image\" {e}")))?;
    let reg_id = reg.id.clone();
    let assessed = match assessed {
        Assessment::Scored(s) if state.deviates(Deviation::LivenessShift) => Assessment::Scored(s.shifted(-10)),
        other => other,
    };
    let assessed = match assessed {
        Assessment::Scored(s) => Assessment::Scored(state.perturb(s, &digest)),
        other => other,
    };
    let scripted = state.store.call(move |c| store::pop_script(c, &reg_id)).await?;
    let assessment = scripted.unwrap_or(assessed);
    let minimum = flow.liveness.min_score;

    let inclusive = state.deviates(Deviation::InclusiveThreshold);
    let score = match assessment {
        Assessment::Scored(score) if score.passes(minimum) || (inclusive && score == minimum) => score,
        failed => return Err(record_failure(&state, &reg, failed, req.os, digest, minimum).await),
    };
    let success = Success {
        registration: reg.id.clone(),
        force,
        require_active,
        require_balance,
        os: req.os,
        score,
        minimum,
        image_digest: digest,
    };
    match state.store.call(move |c| store::commit_success(c, &success)).await? {
        Commit::Registered(reg) => {
            let mut body = reg.to_documented_json();
            if let Value::Object(m) = &mut body {
                deviate_success(&state, m, submitted.as_deref(), score);
                if let (true, Some(auth)) = (state.deviates(Deviation::EchoTokenInRecord), headers.get(AUTHORIZATION))
                    && let Some(person) = m.get("person").cloned()
                {
                    m.insert("person".into(), json!({"_id": person, "verifiedWith": auth.to_str().unwrap_or("?")}));
                }
            }
            Ok(Json(json!({ "data": body })))
        }
        Commit::NotFound => Err(ApiError::registration_not_found()),
        Commit::CollectionNotSet => Err(collection_not_set(&state)),
        Commit::PersonAlreadySet => Err(person_already_set(&state)),
        Commit::PaymentRequired => Err(ApiError::payment_required()),
    }
}

/// The deviations that alter a 200 body.
fn deviate_success(state: &AppState, m: &mut serde_json::Map<String, Value>, submitted: Option<&str>, score: Score) {
    if state.deviates(Deviation::OmitAssignedCollection) {
        m.shift_remove("assignedCollection");
    }
    if let (Some(uri), Some(person)) = (submitted, m.get("person").cloned()) {
        let payload = uri.split_once(',').map_or(uri, |(_, data)| data);
        m.insert("person".into(), json!({"_id": person, "selfie": payload}));
    }
    if state.deviates(Deviation::ReuseValidationId)
        && let Some(Value::String(bv)) = m.get("biometricValidation").cloned()
    {
        let first = state.first_validation.get_or_init(|| bv).clone();
        m.insert("biometricValidation".into(), Value::String(first));
    }
    if state.deviates(Deviation::UndocumentedField) {
        m.insert("debug".into(), json!({"engine": "pad", "score": score.as_f64()}));
    }
}

/// Records a failed attempt and builds its 409 `liveness_failed` answer.
async fn record_failure(
    state: &AppState,
    reg: &Registration,
    assessment: Assessment,
    os: Os,
    image_digest: String,
    minimum: crate::api::Score,
) -> ApiError {
    let charge = state.deviates(Deviation::ChargeOnFailure);
    let failure = Failure { registration: reg.id.clone(), assessment, os, image_digest, charge };
    let after = match state.store.call(move |c| store::record_failure(c, &failure)).await {
        Ok(Some(after)) => after,
        Ok(None) => return ApiError::registration_not_found(),
        Err(e) => return e.into(),
    };
    let shown = match assessment {
        Assessment::Scored(_) if state.deviates(Deviation::LivenessMessageMinimum) => minimum,
        Assessment::Scored(score) => score,
        Assessment::Quality(_) => minimum,
    };
    let body = match assessment {
        Assessment::Quality(code) => ErrorBody {
            failure_kind: Some(FailureKind::Quality),
            failure_reason: Some(code.reason().to_owned()),
            remaining_attempts: Some(after.remaining_attempts()),
            ..ErrorBody::prefixed(409, ErrorCode::LivenessFailed, Some(code.as_str()))
        },
        Assessment::Scored(score) => ErrorBody {
            failure_kind: Some(FailureKind::Score),
            failure_reason: Some("liveness_failed".to_owned()),
            liveness_score: Some(score.as_f64()),
            minimum_score: Some(minimum.as_f64()),
            remaining_attempts: Some(after.remaining_attempts()),
            ..ErrorBody::prefixed(409, ErrorCode::LivenessFailed, Some(&shown.to_string()))
        },
    };
    ApiError::new(StatusCode::CONFLICT, body)
}

pub(crate) async fn retrieve(State(state): State<AppState>, auth: AnyAuth, Path(id): Path<String>) -> JsonResult {
    let found = state.store.call(move |c| store::biometric_validation(c, &id)).await?;
    let visible = |bv: &crate::emulator::model::BiometricValidation| match &auth {
        AnyAuth::Client(client) => &bv.client == client,
        AnyAuth::Registration(claims) => bv.app_registration == claims.app_registration_id,
    };
    match found {
        Some(bv) if visible(&bv) => Ok(Json(json!({ "data": bv.to_json() }))),
        _ => Err(ApiError::not_found("BiometricValidation")),
    }
}
