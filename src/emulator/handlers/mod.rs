//! Thin axum handlers, one file per route family: extract, call the store or the engine, answer.

pub(crate) mod biometric;
pub(crate) mod catalog;
pub(crate) mod credits;
pub(crate) mod provider_states;
pub(crate) mod registrations;

use axum::Json;
use serde_json::Value;

use super::error::ApiError;

/// What a successful handler returns: a JSON document with status 200.
pub(crate) type JsonResult = Result<Json<Value>, ApiError>;

/// Reads a text field of a loosely typed body: absent or null is `None`, any other type an error.
pub(crate) fn opt_string(field: &str, v: Option<serde_json::Value>) -> Result<Option<String>, ApiError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(_) => Err(ApiError::missing_parameter(format!("\"{field}\" must be a string"))),
    }
}

/// The values of a repeated query parameter, accepting both `key[]=` and `key=`.
pub(crate) fn query_values(query: Option<&str>, key: &str) -> Vec<String> {
    let bracketed = format!("{key}[]");
    form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == key || *k == bracketed)
        .map(|(_, v)| v.into_owned())
        .collect()
}
