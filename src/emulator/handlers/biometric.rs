//! The central endpoint, `POST /v2/biometric-validations/app-registration`, and the retrieve route of
//! the validations it creates.
//!
//! The order of checks is part of the emulator's documented behaviour: auth (extractor) → body →
//! registration lookup → collection → person already set (unless `force`) → credit balance → image
//! decode and quality → liveness score → person, validation and charge (one transaction that re-checks
//! every precondition).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::JsonResult;
use crate::api::{DataUri, ErrorBody, ErrorCode, FailureKind, Os, Score};
use crate::emulator::auth::{AnyAuth, RegistrationAuth};
use crate::emulator::body::{Field, JsonBytes, json_type, parse_object};
use crate::emulator::error::ApiError;
use crate::emulator::liveness::{self, Assessment};
use crate::emulator::model::{ProjectFlow, Registration};
use crate::emulator::policy::{Answer, Policy, Preconditions, Refusal};
use crate::emulator::state::AppState;
use crate::emulator::store::{self, Commit, Failure, Success};
use crate::emulator::token::RegistrationClaims;

#[derive(Deserialize, Default)]
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

/// The central endpoint, in the order its checks run: body, preconditions, the image's assessment,
/// then the one transaction that records the person, the validation and the charge. The policy is
/// asked at its named points (see `policy`); nothing here knows a deviation.
pub(crate) async fn create(
    State(state): State<AppState>,
    RegistrationAuth(claims): RegistrationAuth,
    headers: HeaderMap,
    JsonBytes(bytes): JsonBytes,
) -> JsonResult {
    if let Some(retry_after) = state.throttle(&claims.project) {
        return Err(ApiError::rate_limited(retry_after));
    }
    let policy = &state.policy;
    let req = validate(policy, &bytes).map_err(|e| policy.refuse_body(e, &headers))?;
    let pre = policy.preconditions(req.os, req.force)?;
    let (reg, flow) = precheck(&state, &claims, pre).await?;
    let (assessment, image_digest, image) = assess(&state, req.image, &reg).await?;
    let minimum = flow.liveness.min_score;
    let score = match assessment {
        Assessment::Scored(score) if policy.passes(score, minimum) => score,
        failed => return Err(record_failure(&state, &reg, failed, req.os, image_digest, minimum).await),
    };
    let (force, require_active, require_balance) = (pre.force, pre.require_active, pre.require_balance);
    let success = Success {
        registration: reg.id,
        force,
        require_active,
        require_balance,
        os: req.os,
        score,
        minimum,
        image_digest,
    };
    let mut data = commit(&state, success).await?;
    policy.render(Answer::Registered { data: &mut data, image: &image, score }, &headers);
    Ok(Json(json!({ "data": data })))
}

/// Joi-style validation in field order `image`, `os`, `force`; every message names its field. A JSON
/// `null` counts as absent (serde folds the two), so `"force": null` means `false`.
fn validate(policy: &Policy, bytes: &[u8]) -> Result<Request, ApiError> {
    let raw = policy.read_body(parse_object::<RawBody>(bytes))?;
    let image = match raw.image {
        None => return Err(ApiError::missing_parameter("\"image\" is required")),
        Some(Field::Text(s)) => {
            DataUri::parse(&policy.image_text(s)).map_err(|e| ApiError::missing_parameter(format!("\"image\" {e}")))?
        }
        Some(Field::Other(json_type)) => {
            return Err(ApiError::missing_parameter(format!("\"image\" must be a string, not {json_type}")));
        }
    };
    let os = match raw.os {
        None | Some(Value::Null) => return Err(ApiError::missing_parameter("\"os\" is required")),
        Some(Value::String(s)) => policy
            .os_text(s)
            .parse::<Os>()
            .map_err(|_| ApiError::missing_parameter("\"os\" must be one of [DESKTOP, IOS, ANDROID]"))?,
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

/// The registration behind the token and its flow, if every precondition holds: it exists, is active
/// and the caller's, has a collection, has no person (unless `force`), and its client has a credit.
async fn precheck(
    state: &AppState,
    claims: &RegistrationClaims,
    pre: Preconditions,
) -> Result<(Registration, ProjectFlow), ApiError> {
    let (client, reg_id) = (claims.client.clone(), claims.app_registration_id.clone());
    let checked = state
        .store
        .call(move |c| {
            let Some(reg) = store::registration(c, &reg_id)? else { return Ok(Err(Refusal::UnknownRegistration)) };
            if (pre.require_active && !reg.status.is_active()) || reg.client != client {
                return Ok(Err(Refusal::NotFound));
            }
            if store::collection_of(c, &reg)?.is_none() {
                return Ok(Err(Refusal::CollectionNotSet));
            }
            if reg.person.is_some() && !pre.force {
                return Ok(Err(Refusal::PersonAlreadySet));
            }
            if pre.require_balance && store::balance(c, &reg.client)? <= 0 {
                return Ok(Err(Refusal::PaymentRequired));
            }
            let flow = store::flow(c, &reg.project_flow)?
                .ok_or_else(|| store::StoreError::Corrupt(format!("flow of registration {} is missing", reg.id)))?;
            Ok(Ok((reg, flow)))
        })
        .await?;
    checked.map_err(|refusal| state.policy.refuse(refusal))
}

/// The image decoded and scored (off the async workers), the score perturbed as configured, or the
/// registration's scripted outcome when a provider state set one; the image comes back for the answer.
async fn assess(
    state: &AppState,
    image: DataUri,
    reg: &Registration,
) -> Result<(Assessment, String, DataUri), ApiError> {
    let (engine, rules) = (state.engine.clone(), state.policy.decode_rules());
    let (judged, image) = tokio::task::spawn_blocking(move || {
        (liveness::decode_with(&image, rules).map(|decoded| (engine.assess(&decoded), decoded.digest)), image)
    })
    .await
    .map_err(|_| ApiError::from(store::StoreError::Worker))?;
    let (assessed, digest) = judged.map_err(|e| ApiError::missing_parameter(format!("\"image\" {e}")))?;
    let assessed = match state.policy.assessed(assessed) {
        Assessment::Scored(s) => Assessment::Scored(state.perturb(s, &digest)),
        other => other,
    };
    let reg_id = reg.id.clone();
    let scripted = state.store.call(move |c| store::pop_script(c, &reg_id)).await?;
    Ok((scripted.unwrap_or(assessed), digest, image))
}

/// The success committed in one transaction that re-checks every precondition; the registration's
/// documented 200 body.
async fn commit(state: &AppState, success: Success) -> Result<Value, ApiError> {
    let refusal = match state.store.call(move |c| store::commit_success(c, &success)).await? {
        Commit::Registered(reg) => return Ok(reg.to_documented_json()),
        Commit::NotFound => Refusal::NotFound,
        Commit::CollectionNotSet => Refusal::CollectionNotSet,
        Commit::PersonAlreadySet => Refusal::PersonAlreadySet,
        Commit::PaymentRequired => Refusal::PaymentRequired,
    };
    Err(state.policy.refuse(refusal))
}

/// Records a failed attempt and builds its 409 `liveness_failed` answer.
async fn record_failure(
    state: &AppState,
    reg: &Registration,
    assessment: Assessment,
    os: Os,
    image_digest: String,
    minimum: Score,
) -> ApiError {
    let charge = state.policy.charges_failures();
    let failure = Failure { registration: reg.id.clone(), assessment, os, image_digest, charge };
    let after = match state.store.call(move |c| store::record_failure(c, &failure)).await {
        Ok(Some(after)) => after,
        Ok(None) => return ApiError::registration_not_found(),
        Err(e) => return e.into(),
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
            ..ErrorBody::prefixed(
                409,
                ErrorCode::LivenessFailed,
                Some(&state.policy.shown_score(score, minimum).to_string()),
            )
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
