//! `GET /v2/projects` and `GET /v2/project-flows`: what a client needs to start a registration.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use super::JsonResult;
use crate::emulator::auth::ClientAuth;
use crate::emulator::state::AppState;
use crate::emulator::store;

pub(crate) async fn list_projects(State(state): State<AppState>, ClientAuth(client): ClientAuth) -> JsonResult {
    let projects = state.store.call(move |c| store::projects(c, &client)).await?;
    Ok(Json(json!({ "data": projects.iter().map(|p| p.to_json()).collect::<Vec<Value>>() })))
}

pub(crate) async fn list_flows(State(state): State<AppState>, ClientAuth(client): ClientAuth) -> JsonResult {
    let flows = state.store.call(move |c| store::flows(c, &client)).await?;
    Ok(Json(json!({ "data": flows.iter().map(|f| f.to_json()).collect::<Vec<Value>>() })))
}
