//! Request bodies: content type, size and JSON syntax are checked here, the same way on every route.
//!
//! 415 for anything but `application/json`, 413 past the body limit, 400 for bytes that are not JSON,
//! and 409 `MissingParameter` for JSON that is not an object or repeats a field: each with a JSON body.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// The raw bytes of a JSON request, after the content-type and size checks.
pub struct JsonBytes(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for JsonBytes {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        if !is_json(req.headers().get(CONTENT_TYPE).and_then(|v| v.to_str().ok())) {
            return Err(ApiError::unsupported_media_type());
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::payload_too_large()
            } else {
                ApiError::bad_request("unreadable_body")
            }
        })?;
        Ok(JsonBytes(bytes))
    }
}

/// `application/json`, optionally with parameters such as `charset=utf-8`.
fn is_json(content_type: Option<&str>) -> bool {
    content_type
        .and_then(|ct| ct.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("application/json"))
}

/// Decodes a JSON object into `T`. `T` should hold its fields as `Option<serde_json::Value>` so that
/// type errors are reported by the handler with the field's name, Joi-style.
pub fn parse_object<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    if first != Some(&b'{') {
        return Err(match serde_json::from_slice::<serde::de::IgnoredAny>(bytes) {
            Ok(_) => ApiError::missing_parameter("\"value\" must be of type object"),
            Err(_) => ApiError::bad_request("invalid_json"),
        });
    }
    serde_json::from_slice::<T>(bytes).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => match duplicate_field(&e.to_string()) {
            Some(field) => ApiError::missing_parameter(format!("\"{field}\" is given more than once")),
            None => ApiError::missing_parameter("\"value\" is not a valid request body"),
        },
        _ => ApiError::bad_request("invalid_json"),
    })
}

fn duplicate_field(message: &str) -> Option<&str> {
    message.strip_prefix("duplicate field `")?.split('`').next()
}

/// The type of a JSON value in Joi's words, for "must be a string" style messages.
pub fn json_type(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "boolean",
        serde_json::Value::Number(_) => "number",
        serde_json::Value::String(_) => "string",
        serde_json::Value::Array(_) => "array",
        serde_json::Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Two {
        #[serde(default)]
        a: Option<serde_json::Value>,
    }

    #[test]
    fn classifies_bodies() {
        assert!(parse_object::<Two>(br#"{"a":1}"#).map(|t| t.a.is_some()).unwrap_or(false));
        let status = |b: &[u8]| parse_object::<Two>(b).err().map(|e| (e.status.as_u16(), e.body.message));
        assert_eq!(status(b"{"), Some((400, "400:invalid_json".into())));
        assert_eq!(status(b"nope"), Some((400, "400:invalid_json".into())));
        assert_eq!(status(b"[1,2]").map(|s| s.0), Some(409));
        assert_eq!(status(br#"{"a":1,"a":2}"#), Some((409, "\"a\" is given more than once".into())));
        assert!(is_json(Some("application/json; charset=utf-8")));
        assert!(is_json(Some("Application/JSON")));
        assert!(!is_json(Some("text/plain")));
        assert!(!is_json(None));
    }
}
