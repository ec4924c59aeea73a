//! Oracles: pure functions from an exchange to the violations they find. The probe applies the
//! generic ones to every response of the central endpoint; behaviours apply the specific ones.

use serde_json::Value;

use crate::api::{ErrorCode, PrefixedMessage, Score};
use crate::schemas::SchemaSet;
use crate::target::Exchange;

/// The codes of the documented error family, whose message is `<status>:<code>[@detail]`.
pub const DOCUMENTED_CODES: [ErrorCode; 4] = [
    ErrorCode::PersonAlreadySet,
    ErrorCode::LivenessFailed,
    ErrorCode::AppRegistrationNotFound,
    ErrorCode::CollectionNotSet,
];

/// A finding of one oracle: the check's name and what is wrong.
pub type Finding = (&'static str, String);

pub fn never_5xx(x: &Exchange) -> Option<Finding> {
    (x.status >= 500).then(|| ("never-5xx", format!("the target answered {}", x.status)))
}

pub fn json_content_type(x: &Exchange) -> Option<Finding> {
    if !x.is_json() {
        return Some(("json-content-type", format!("content type is {:?}, not application/json", x.content_type)));
    }
    x.body.is_none().then(|| ("json-body", "the body does not parse as JSON".to_owned()))
}

/// The schema a response body must match, chosen by status and code.
pub fn schema_for(x: &Exchange) -> &'static str {
    if x.status == 200 {
        return "app-registration-200.json";
    }
    let code = x.json()["code"].as_str().and_then(|c| c.parse::<ErrorCode>().ok());
    match code {
        Some(c) if DOCUMENTED_CODES.contains(&c) => "error-documented.json",
        _ => "error-generic.json",
    }
}

pub fn schema(schemas: &SchemaSet, x: &Exchange) -> Option<Finding> {
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
    Some(("schema", format!("body does not match {name}: {}", list.join("; "))))
}

/// For the documented family: the message is `<status>:<code>[@detail]`, the prefix equals the HTTP
/// status and the code equals `code`.
pub fn code_agrees_with_message(x: &Exchange) -> Option<Finding> {
    let body = x.body.as_ref()?;
    let code = body["code"].as_str()?;
    if !DOCUMENTED_CODES.iter().any(|c| c.as_str() == code) {
        return None;
    }
    let message = body["message"].as_str().unwrap_or_default();
    match PrefixedMessage::parse(message) {
        None => Some(("code-agrees-with-message", format!("message {message:?} is not <status>:<code>[@detail]"))),
        Some(m) if m.status != x.status => Some((
            "code-agrees-with-message",
            format!("message prefix {} differs from the HTTP status {}", m.status, x.status),
        )),
        Some(m) if m.code != code => {
            Some(("code-agrees-with-message", format!("message names {:?} but code is {code:?}", m.code)))
        }
        Some(_) => None,
    }
}

/// A documented body, compared exactly.
pub fn exact_body(x: &Exchange, status: u16, expected: &Value) -> Option<Finding> {
    if x.status != status {
        return Some(("status", format!("expected {status}, got {}", x.status)));
    }
    (x.json() != expected).then(|| ("body", format!("expected {expected}, got {}", x.json())))
}

pub fn status_is(x: &Exchange, status: u16) -> Option<Finding> {
    (x.status != status).then(|| ("status", format!("expected {status}, got {}", x.status)))
}

/// Any 2xx where a refusal is required is a failure whatever the exact refusal.
pub fn refused(x: &Exchange) -> Option<Finding> {
    (200..300).contains(&x.status).then(|| ("refused", format!("expected a refusal, got {}", x.status)))
}

/// The score after `@` in a `liveness_failed` message, when it is a score.
pub fn failed_score(x: &Exchange) -> Option<Score> {
    let message = x.json()["message"].as_str()?;
    PrefixedMessage::parse(message)?.detail?.parse().ok()
}

/// `MissingParameter` naming `field` (the emulator's decision, and the vendor's liveness page's shape).
pub fn missing_parameter_naming(x: &Exchange, field: &str) -> Option<Finding> {
    if x.status != 409 || x.json()["code"] != "MissingParameter" {
        return Some((
            "missing-parameter",
            format!("expected 409 MissingParameter, got {} {}", x.status, x.json()["code"]),
        ));
    }
    let message = x.json()["message"].as_str().unwrap_or_default();
    (!message.contains(&format!("\"{field}\"")))
        .then(|| ("names-the-field", format!("message {message:?} does not name \"{field}\"")))
}
