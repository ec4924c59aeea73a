//! `POST /__conformance/provider-states`: the control endpoint that puts the emulator in a named state,
//! modelled on Pact's provider states. Served only with `--provider-states`.
//!
//! Every set-up creates a fresh client (own token, project, flow, collection and credit ledger), so
//! parallel trials never share a balance or a registration. The request and response have JSON Schemas
//! in `schemas/provider-state-request.json` and `schemas/provider-state-response.json`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use serde_json::json;

use super::JsonResult;
use super::registrations::mint_for;
use crate::api::{ErrorBody, ErrorCode, QualityCode, RegistrationStatus, Score};
use crate::emulator::auth::TOKEN_LIFETIME_SECS;
use crate::emulator::body::JsonBytes;
use crate::emulator::error::ApiError;
use crate::emulator::liveness::Assessment;
use crate::emulator::model::{CreditCategory, LivenessSettings};
use crate::emulator::state::AppState;
use crate::emulator::store::{self, NewRegistration};

/// The route; namespaced so it can never collide with a vendor route.
pub const PATH: &str = "/__conformance/provider-states";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetupRequest {
    state: StateName,
    #[serde(default)]
    params: Params,
}

#[derive(Debug, Deserialize)]
enum StateName {
    #[serde(rename = "app registration")]
    AppRegistration,
}

/// One step of a scripted liveness outcome: a score, or a provider quality code.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum ScriptStep {
    Score(f64),
    Quality(String),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct Params {
    status: RegistrationStatus,
    collection: bool,
    person_set: bool,
    token_expires_in: i64,
    token_not_before_in: Option<i64>,
    liveness_script: Vec<ScriptStep>,
    credits: i64,
    min_score: f64,
    attempt_limit: u32,
    failed_attempts: u32,
    email: Option<String>,
    /// Mint the token for a registration id that does not exist.
    phantom: bool,
}

impl Default for Params {
    fn default() -> Self {
        let d = LivenessSettings::documented_defaults();
        Params {
            status: RegistrationStatus::Started,
            collection: true,
            person_set: false,
            token_expires_in: TOKEN_LIFETIME_SECS,
            token_not_before_in: None,
            liveness_script: Vec::new(),
            credits: store::SEED_CREDITS,
            min_score: d.min_score.as_f64(),
            attempt_limit: d.attempt_limit,
            failed_attempts: 0,
            email: None,
            phantom: false,
        }
    }
}

fn invalid(reason: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorBody::plain(ErrorCode::BadRequest, format!("400:invalid_provider_state: {reason}")),
    )
}

pub async fn setup(State(state): State<AppState>, JsonBytes(bytes): JsonBytes) -> JsonResult {
    let req: SetupRequest = serde_json::from_slice(&bytes).map_err(invalid)?;
    let StateName::AppRegistration = req.state;
    let p = req.params;
    let min_score = Score::from_f64(p.min_score).map_err(|e| invalid(format!("minScore {e}")))?;
    if p.credits < 0 {
        return Err(invalid("credits must be zero or more"));
    }
    if p.person_set && !p.collection {
        return Err(invalid("personSet needs collection: a person lives in a collection"));
    }
    let script = p
        .liveness_script
        .iter()
        .map(|step| match step {
            ScriptStep::Score(s) => {
                Score::from_f64(*s).map(Assessment::Scored).map_err(|e| invalid(format!("livenessScript {e}")))
            }
            ScriptStep::Quality(q) => {
                q.parse::<QualityCode>().map(Assessment::Quality).map_err(|e| invalid(format!("livenessScript {e}")))
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client_token = format!("vkc_{}", crate::api::ObjectId::generate());
    let settings =
        LivenessSettings { min_score, attempt_limit: p.attempt_limit, ..LivenessSettings::documented_defaults() };
    let token_for_store = client_token.clone();
    let (status, collection, person_set, failed) = (p.status, p.collection, p.person_set, p.failed_attempts);
    let email = p.email.unwrap_or_else(|| "provider-state@example.com".to_owned());
    let credits = p.credits;
    let reg = state
        .store
        .call(move |c| {
            let tx = c.transaction()?;
            let client = store::insert_client(&tx, &token_for_store, false)?;
            let project = store::insert_project(&tx, &client, "Provider state", collection)?;
            let flow = store::insert_flow(&tx, &client, &project, "Provider state", settings)?;
            if credits > 0 {
                store::insert_credit(&tx, &client, credits, CreditCategory::Purchase, "provider state balance", None)?;
            }
            tx.commit()?;
            let new = NewRegistration {
                client,
                project,
                project_flow: flow,
                email: Some(email),
                full_name: Some("Provider State".into()),
                ..NewRegistration::default()
            };
            let (reg, _) = store::create_registration(c, new, RegistrationStatus::Started)?;
            if person_set {
                store::attach_existing_person(c, &reg, Score::ONE)?;
            }
            store::set_script(c, &reg.id, &script)?;
            store::force_status(c, &reg.id, status, failed)?;
            store::registration(c, &reg.id)?.ok_or_else(|| store::StoreError::Corrupt("registration vanished".into()))
        })
        .await?;
    let mut reg = reg;
    if p.phantom {
        reg.id = crate::api::ObjectId::generate().to_string();
    }
    let token = mint_for(&state, &reg, p.token_expires_in, p.token_not_before_in)?;
    Ok(Json(json!({
        "data": {
            "clientToken": client_token,
            "client": reg.client,
            "project": reg.project,
            "projectFlow": reg.project_flow,
            "appRegistrationId": reg.id,
            "token": token,
            "status": reg.status,
            "collection": reg.assigned_collection,
            "person": reg.person,
            "biometricValidation": reg.biometric_validation,
        }
    })))
}
