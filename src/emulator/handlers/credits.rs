//! `GET /v2/credits`: the client's credit ledger, in the list envelope the credits page documents.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::query_values;
use crate::emulator::auth::ClientAuth;
use crate::emulator::error::ApiError;
use crate::emulator::model::CreditCategory;
use crate::emulator::policy::Answer;
use crate::emulator::state::AppState;
use crate::emulator::store;

const MAX_PER_PAGE: u32 = 100;

pub(crate) async fn list_credits(
    State(state): State<AppState>,
    ClientAuth(client): ClientAuth,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let q = query.as_deref();
    let number = |key: &str, default: u32| -> Option<u32> {
        match query_values(q, key).last() {
            None => Some(default),
            Some(v) => v.parse().ok().filter(|n| *n >= 1),
        }
    };
    let category = match query_values(q, "where_category").last().map(String::as_str) {
        None => Ok(None),
        Some(c) => c.parse::<CreditCategory>().map(Some).map_err(|_| ()),
    };
    let (Some(page), Some(per_page), Ok(category)) = (number("page", 1), number("perPage", 20), category) else {
        return Ok(invalid_parameters());
    };
    if per_page > MAX_PER_PAGE {
        return Ok(invalid_parameters());
    }
    let (rows, total) = state.store.call(move |c| store::credits(c, &client, category, page, per_page)).await?;
    let data: Vec<Value> = rows.iter().map(|r| r.to_json()).collect();
    let mut body = json!({
        "success": true,
        "data": data,
        "pagination": {
            "page": page,
            "perPage": per_page,
            "total": total,
            "pages": total.div_ceil(u64::from(per_page)),
        },
    });
    state.policy.render(Answer::Credits(&mut body), &headers);
    Ok(Json(body).into_response())
}

/// The documented 400 body of the list routes, which uses a different envelope from the rest.
fn invalid_parameters() -> Response {
    (
        StatusCode::BAD_REQUEST,
        Json(json!({"success": false, "error": "Invalid query parameters", "code": "INVALID_PARAMETERS"})),
    )
        .into_response()
}
