//! `POST /__conformance/provider-states`: the control endpoint that puts the emulator in a named state,
//! modelled on Pact's provider states. Served only with `--provider-states`.
//!
//! Every set-up creates a fresh client (own token, project, flow, collection and credit ledger), so
//! parallel trials never share a balance or a registration. The request and response have JSON Schemas
//! in `schemas/provider-state-request.json` and `schemas/provider-state-response.json`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;

use super::registrations::mint_for;
use crate::api::provider_state::{ScriptStep, SetupData, SetupRequest, SetupResponse, StateName};
use crate::api::{ErrorBody, ErrorCode, RegistrationStatus, Score};
use crate::emulator::body::JsonBytes;
use crate::emulator::error::ApiError;
use crate::emulator::liveness::Assessment;
use crate::emulator::model::{CreditCategory, LivenessSettings};
use crate::emulator::state::AppState;
use crate::emulator::store::{self, NewRegistration};
use crate::emulator::token::TOKEN_LIFETIME_SECS;

pub use crate::api::provider_state::PATH;

fn invalid(reason: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorBody::plain(ErrorCode::BadRequest, format!("400:invalid_provider_state: {reason}")),
    )
}

pub(crate) async fn setup(
    State(state): State<AppState>,
    JsonBytes(bytes): JsonBytes,
) -> Result<Json<SetupResponse>, ApiError> {
    let req: SetupRequest = serde_json::from_slice(&bytes).map_err(invalid)?;
    let StateName::AppRegistration = req.state;
    let p = req.params;
    let defaults = LivenessSettings::documented_defaults();
    let min_score = match p.min_score {
        None => defaults.min_score,
        Some(m) => Score::from_f64(m).map_err(|e| invalid(format!("minScore {e}")))?,
    };
    let credits = p.credits.unwrap_or(state.config.seed_credits);
    if credits < 0 {
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
            ScriptStep::Quality(q) => Ok(Assessment::Quality(*q)),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let client_token = format!("vkc_{}", crate::api::ObjectId::generate());
    let settings = LivenessSettings {
        min_score,
        attempt_limit: p.attempt_limit.unwrap_or(defaults.attempt_limit),
        ..LivenessSettings::documented_defaults()
    };
    let token_for_store = client_token.clone();
    let (status, collection, person_set, failed) =
        (p.status, p.collection, p.person_set, p.failed_attempts.unwrap_or(0));
    let email = p.email.unwrap_or_else(|| "provider-state@example.com".to_owned());
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
    let token = mint_for(&state, &reg, p.token_expires_in.unwrap_or(TOKEN_LIFETIME_SECS), p.token_not_before_in)?;
    Ok(Json(SetupResponse {
        data: SetupData {
            client_token,
            client: reg.client,
            project: reg.project,
            project_flow: reg.project_flow,
            app_registration_id: reg.id,
            token,
            status: reg.status,
            collection: reg.assigned_collection,
            person: reg.person,
            biometric_validation: reg.biometric_validation,
        },
    }))
}
