//! Oracles: pure functions from an exchange to the findings they make. The context applies the
//! generic ones to every response of the central endpoint, and privacy and consistency to every
//! response the suite reads; behaviours apply the specific ones.

pub(crate) mod fields;
pub(crate) mod ledger;
pub(crate) mod liveness;
pub(crate) mod privacy;

use reqwest::StatusCode;
use serde_json::Value;

use crate::api::ErrorCode;
use crate::schemas::SchemaSet;
use crate::target::Exchange;

/// The codes of the documented error family, whose message is `<status>:<code>[@detail]`.
pub(crate) const DOCUMENTED_CODES: [ErrorCode; 4] = [
    ErrorCode::PersonAlreadySet,
    ErrorCode::LivenessFailed,
    ErrorCode::AppRegistrationNotFound,
    ErrorCode::CollectionNotSet,
];

pub(crate) use super::finding::{Check, Finding};

pub(crate) fn never_5xx(x: &Exchange) -> Option<Finding> {
    x.status
        .is_server_error()
        .then(|| Finding::new(Check::Never5xx, format!("the target answered {}", x.status.as_u16())))
}

pub(crate) fn json_content_type(x: &Exchange) -> Option<Finding> {
    if !x.is_json() {
        return Some(Finding::new(
            Check::JsonContentType,
            format!("content type is {:?}, not application/json", x.content_type),
        ));
    }
    match (&x.body, x.truncated) {
        (Some(_), _) => None,
        (None, false) => Some(Finding::new(Check::JsonBody, "the body does not parse as JSON".to_owned())),
        (None, true) => Some(Finding::new(
            Check::JsonBody,
            format!("the body does not parse as JSON: it goes on past the {} bytes the suite reads", x.body_bytes),
        )),
    }
}

/// The error code of a response, when it has a readable one the contract knows.
fn known_code(x: &Exchange) -> Option<ErrorCode> {
    x.error().ok()?.known_code()
}

/// The schema a response body must match, chosen by status and code.
pub(crate) fn schema_for(x: &Exchange) -> &'static str {
    if x.status == StatusCode::OK {
        return "app-registration-200.json";
    }
    match known_code(x) {
        Some(c) if DOCUMENTED_CODES.contains(&c) => "error-documented.json",
        _ => "error-generic.json",
    }
}

pub(crate) fn schema(schemas: &SchemaSet, x: &Exchange) -> Option<Finding> {
    let body = x.body.as_ref()?;
    let name = schema_for(x);
    let found = schemas.check(name, body);
    if found.is_empty() {
        return None;
    }
    let list: Vec<String> = found
        .iter()
        .take(5)
        .map(|v| format!("{} ({})", v.message, if v.pointer.is_empty() { "/" } else { &v.pointer }))
        .collect();
    Some(Finding::new(Check::Schema, format!("body does not match {name}: {}", list.join("; "))))
}

/// For the documented family: the message is `<status>:<code>[@detail]`, the prefix equals the HTTP
/// status and the code equals `code`. (A body without a readable code or message is the schema's finding.)
pub(crate) fn code_agrees_with_message(x: &Exchange) -> Option<Finding> {
    let body = x.error().ok()?;
    if !body.known_code().is_some_and(|c| DOCUMENTED_CODES.contains(&c)) {
        return None;
    }
    match body.split_message() {
        None => Some(Finding::new(
            Check::CodeAgreesWithMessage,
            format!("message {:?} is not <status>:<code>[@detail]", body.message),
        )),
        Some(m) if m.status != x.status.as_u16() => Some(Finding::new(
            Check::CodeAgreesWithMessage,
            format!("message prefix {} differs from the HTTP status {}", m.status, x.status.as_u16()),
        )),
        Some(m) if m.code != body.code => Some(Finding::new(
            Check::CodeAgreesWithMessage,
            format!("message names {:?} but code is {:?}", m.code, body.code),
        )),
        Some(_) => None,
    }
}

/// A documented body, compared exactly.
pub(crate) fn exact_body(x: &Exchange, status: StatusCode, expected: &Value) -> Option<Finding> {
    if x.status != status {
        return Some(Finding::new(Check::Status, format!("expected {}, got {}", status.as_u16(), x.status.as_u16())));
    }
    (x.json() != expected).then(|| Finding::new(Check::Body, format!("expected {expected}, got {}", x.json())))
}

pub(crate) fn status_is(x: &Exchange, status: StatusCode) -> Option<Finding> {
    (x.status != status)
        .then(|| Finding::new(Check::Status, format!("expected {}, got {}", status.as_u16(), x.status.as_u16())))
}

/// Any 2xx where a refusal is required is a failure whatever the exact refusal.
pub(crate) fn refused(x: &Exchange) -> Option<Finding> {
    x.status
        .is_success()
        .then(|| Finding::new(Check::Refused, format!("expected a refusal, got {}", x.status.as_u16())))
}

/// The status and code of an error answer, read from the body.
pub(crate) fn error_is(x: &Exchange, status: StatusCode, code: ErrorCode) -> Option<Finding> {
    let found = x.error().map(|e| e.code);
    match found {
        Ok(c) if x.status == status && c == code.as_str() => None,
        Ok(c) => Some(Finding::new(
            Check::ErrorCode,
            format!("expected {} {code}, got {} {c}", status.as_u16(), x.status.as_u16()),
        )),
        Err(missing) => Some(Finding::new(Check::ErrorCode, format!("expected {} {code}: {missing}", status.as_u16()))),
    }
}

/// `MissingParameter` naming `field` (the emulator's decision, and the vendor's liveness page's shape).
pub(crate) fn missing_parameter_naming(x: &Exchange, field: &str) -> Option<Finding> {
    if let Some(f) = error_is(x, StatusCode::CONFLICT, ErrorCode::MissingParameter) {
        return Some(Finding { check: Check::MissingParameter, ..f });
    }
    let message = x.error().map(|e| e.message).unwrap_or_default();
    (!message.contains(&format!("\"{field}\"")))
        .then(|| Finding::new(Check::NamesTheField, format!("message {message:?} does not name \"{field}\"")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn exchange(status: u16, body: Value) -> Exchange {
        Exchange::synthetic(StatusCode::from_u16(status).unwrap_or(StatusCode::IM_A_TEAPOT), body)
    }

    #[test]
    fn error_checks_read_typed_bodies() {
        let x = exchange(409, json!({"code": "MissingParameter", "message": "\"os\" is required"}));
        assert_eq!(missing_parameter_naming(&x, "os"), None);
        assert!(missing_parameter_naming(&x, "image").is_some_and(|f| f.check == Check::NamesTheField));
        let x = exchange(409, json!({"message": "\"os\" is required"}));
        assert!(missing_parameter_naming(&x, "os").is_some_and(|f| f.message.peek().contains("/code is absent")));
        let x = exchange(404, json!({"code": "appRegistration_not_found", "message": "409:appRegistration_not_found"}));
        assert!(
            code_agrees_with_message(&x).is_some_and(|f| f.message.peek().contains("differs from the HTTP status 404"))
        );
        let x = exchange(409, json!({"code": "liveness_failed", "message": "409:liveness_failed@0.45"}));
        assert_eq!(x.error().ok().and_then(|e| e.failed_score()).map(crate::api::Score::hundredths), Some(45));
        assert_eq!(schema_for(&x), "error-documented.json");
    }
}
