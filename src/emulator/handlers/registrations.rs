//! App Registrations: create (client token), sync status and retrieve (registration or client token).

use axum::Json;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{JsonResult, opt_string, query_values};
use crate::api::{ErrorBody, ErrorCode, RegistrationStatus};
use crate::emulator::auth::{AnyAuth, ClientAuth, RegistrationAuth};
use crate::emulator::body::{JsonBytes, parse_object};
use crate::emulator::error::ApiError;
use crate::emulator::model::Registration;
use crate::emulator::policy::Answer;
use crate::emulator::state::AppState;
use crate::emulator::store::{self, NewRegistration};
use crate::emulator::token::{RegistrationClaims, TOKEN_LIFETIME_SECS};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody {
    project: Option<Value>,
    project_flow: Option<Value>,
    email: Option<Value>,
    phone: Option<Value>,
    country_code: Option<Value>,
    full_name: Option<Value>,
    first_name: Option<Value>,
    last_name: Option<Value>,
    language: Option<Value>,
}

/// The create page's 409 bodies repeat the status in the body.
fn create_conflict(code: ErrorCode, message: &str) -> ApiError {
    ApiError::new(StatusCode::CONFLICT, ErrorBody { status: Some(409), ..ErrorBody::plain(code, message) })
}

pub(crate) async fn create(
    State(state): State<AppState>,
    ClientAuth(client): ClientAuth,
    headers: HeaderMap,
    JsonBytes(bytes): JsonBytes,
) -> JsonResult {
    let body: CreateBody = parse_object(&bytes)?;
    let project = opt_string("project", body.project)?
        .ok_or_else(|| create_conflict(ErrorCode::MissingParameter, "missing project"))?;
    let project_flow = opt_string("projectFlow", body.project_flow)?
        .ok_or_else(|| create_conflict(ErrorCode::MissingParameter, "missing projectFlow"))?;
    let email = opt_string("email", body.email)?.filter(|s| !s.is_empty());
    let phone = opt_string("phone", body.phone)?.filter(|s| !s.is_empty());
    let country_code = opt_string("countryCode", body.country_code)?;
    if email.is_none() && phone.is_none() {
        return Err(create_conflict(ErrorCode::MissingParameter, "Needs an email or a phone at least"));
    }
    if let Some(p) = &phone {
        if !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(create_conflict(ErrorCode::MissingParameter, "phone must contain digits only"));
        }
        let valid_cc = country_code.as_deref().is_some_and(|cc| {
            cc.strip_prefix('+').is_some_and(|d| (1..=3).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
        });
        if !valid_cc {
            return Err(create_conflict(ErrorCode::MissingParameter, "missing countryCode"));
        }
    }
    let new = NewRegistration {
        client: client.clone(),
        project,
        project_flow,
        email,
        phone,
        country_code,
        full_name: opt_string("fullName", body.full_name)?,
        first_name: opt_string("firstName", body.first_name)?,
        last_name: opt_string("lastName", body.last_name)?,
        language: opt_string("language", body.language)?,
    };
    let created = state
        .store
        .call(move |c| {
            let Some(flow) =
                store::flow(c, &new.project_flow)?.filter(|f| f.client == new.client && f.project == new.project)
            else {
                return Ok(None);
            };
            let phone = new.phone.as_deref().zip(new.country_code.as_deref());
            if let Some(existing) = store::find_active_by_contact(c, &flow.id, new.email.as_deref(), phone)? {
                let info = match &existing.information_validation {
                    Some(id) => store::information_validation(c, id)?,
                    None => None,
                };
                return Ok(Some((existing, info)));
            }
            let (reg, info) = store::create_registration(c, new, RegistrationStatus::Started)?;
            Ok(Some((reg, Some(info))))
        })
        .await?;
    let Some((reg, info)) = created else {
        return Err(ApiError::not_found("projectFlow"));
    };
    let token = mint_for(&state, &reg, TOKEN_LIFETIME_SECS, None)?;
    let mut answer = json!({
        "data": {
            "appRegistration": reg.to_full_json(),
            "informationValidation": info.map(|i| i.to_json()),
            "token": token,
        }
    });
    state.policy.render(Answer::SetUp(&mut answer), &headers);
    Ok(Json(answer))
}

/// Mints a registration token that expires `expires_in` seconds from now (negative: already expired).
pub(crate) fn mint_for(
    state: &AppState,
    reg: &Registration,
    expires_in: i64,
    not_before_in: Option<i64>,
) -> Result<String, ApiError> {
    let now = chrono::Utc::now().timestamp();
    let claims = RegistrationClaims {
        client: reg.client.clone(),
        app_registration_id: reg.id.clone(),
        project: reg.project.clone(),
        project_flow: reg.project_flow.clone(),
        iat: now,
        nbf: not_before_in.map(|s| now + s),
        exp: now + expires_in,
    };
    state.keys.mint(&claims).map_err(|e| {
        tracing::error!(error = %e, "failed to sign a token");
        ApiError::internal()
    })
}

#[derive(Deserialize)]
struct SyncBody {
    step: Option<Value>,
    status: Option<Value>,
}

/// The sync page's table of steps and the statuses each may set.
fn allowed_statuses(step: &str) -> Option<&'static [RegistrationStatus]> {
    use RegistrationStatus::*;
    match step {
        "skipKYC" => Some(&[CompletedWithoutKyc]),
        "instructions" | "signUpForm" | "basicInformation" | "document" | "liveness" | "form" => Some(&[Ongoing]),
        "end" => Some(&[Completed, Failed, NeedsManualVerification, Ongoing]),
        _ => None,
    }
}

fn sync_not_found() -> ApiError {
    ApiError::prefixed(StatusCode::NOT_FOUND, ErrorCode::SyncAppRegistrationNotFound, None)
}

pub(crate) async fn sync(
    State(state): State<AppState>,
    RegistrationAuth(claims): RegistrationAuth,
    Path(id): Path<String>,
    JsonBytes(bytes): JsonBytes,
) -> JsonResult {
    if id != claims.app_registration_id {
        return Err(sync_not_found());
    }
    let body: SyncBody = parse_object(&bytes)?;
    let step = opt_string("step", body.step)?.ok_or_else(|| ApiError::missing_parameter("\"step\" is required"))?;
    let status =
        opt_string("status", body.status)?.ok_or_else(|| ApiError::missing_parameter("\"status\" is required"))?;
    let Some(allowed) = allowed_statuses(&step) else {
        // The vendor documents a 500 here; the emulator never answers 5xx to bad input, so it is a 400.
        return Err(ApiError::prefixed(StatusCode::BAD_REQUEST, ErrorCode::StepNotSupported, None));
    };
    let status =
        status.parse::<RegistrationStatus>().map_err(|e| ApiError::missing_parameter(format!("\"status\" {e}")))?;
    if !allowed.contains(&status) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            ErrorBody::plain(ErrorCode::Conflict, format!("409:status_{status}_not_allowed_for_step_{step}")),
        ));
    }
    let step_for_store = step.clone();
    let outcome = state.store.call(move |c| store::sync_registration(c, &id, &step_for_store, status)).await?;
    let reg = match outcome {
        None => return Err(sync_not_found()),
        Some(Err(_inactive)) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                ErrorBody::plain(ErrorCode::Conflict, "409:appRegistration_not_active"),
            ));
        }
        Some(Ok(reg)) => reg,
    };
    let token = mint_for(&state, &reg, TOKEN_LIFETIME_SECS, None)?;
    Ok(Json(json!({
        "data": {
            "token": token,
            "fullName": reg.full_name,
            "firstName": reg.first_name,
            "lastName": reg.last_name,
            "step": step,
            "appRegistrationId": reg.id,
            "status": reg.status,
        }
    })))
}

/// The references `populates[]` can expand, and what each expands to.
const POPULATABLE: [&str; 5] = ["project", "projectFlow", "informationValidation", "biometricValidation", "person"];

pub(crate) async fn retrieve(
    State(state): State<AppState>,
    auth: AnyAuth,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> JsonResult {
    let id = match (&auth, id.as_str()) {
        (AnyAuth::Registration(claims), "me") => claims.app_registration_id.clone(),
        _ => id,
    };
    let populates: Vec<String> =
        query_values(query.as_deref(), "populates").into_iter().filter(|p| POPULATABLE.contains(&p.as_str())).collect();
    let found = state
        .store
        .call(move |c| {
            let Some(reg) = store::registration(c, &id)? else { return Ok(None) };
            let mut doc = reg.to_full_json();
            for field in &populates {
                let expanded = match field.as_str() {
                    "project" => store::project(c, &reg.project)?.map(|p| p.to_json()),
                    "projectFlow" => store::flow(c, &reg.project_flow)?.map(|f| f.to_json()),
                    "informationValidation" => match &reg.information_validation {
                        Some(i) => store::information_validation(c, i)?.map(|i| i.to_json()),
                        None => None,
                    },
                    "biometricValidation" => match &reg.biometric_validation {
                        Some(b) => store::biometric_validation(c, b)?.map(|b| b.to_json()),
                        None => None,
                    },
                    "person" => match &reg.person {
                        Some(p) => store::person(c, p)?.map(|p| p.to_json()),
                        None => None,
                    },
                    _ => None,
                };
                doc[field.as_str()] = expanded.unwrap_or(Value::Null);
            }
            Ok(Some((reg, doc)))
        })
        .await?;
    let visible = |reg: &Registration| match &auth {
        AnyAuth::Client(client) => &reg.client == client,
        AnyAuth::Registration(claims) => reg.id == claims.app_registration_id,
    };
    match found {
        Some((reg, mut doc)) if visible(&reg) => {
            state.policy.render(Answer::ReadBack(&mut doc), &headers);
            Ok(Json(json!({ "data": doc })))
        }
        _ => Err(ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorBody::plain(ErrorCode::NotFound, "AppRegistration_not_found"),
        )),
    }
}
