//! Request bodies: content type, size and JSON syntax are checked here, the same way on every route.
//!
//! 415 for anything but `application/json`, 413 past the body limit, 400 for bytes that are not JSON,
//! and 409 `MissingParameter` for JSON that is not an object or repeats a field: each with a JSON body.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::http::header::CONTENT_TYPE;
use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::error::ApiError;

/// The raw bytes of a JSON request, after the content-type and size checks.
pub(crate) struct JsonBytes(pub Bytes);

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
pub(crate) fn parse_object<'a, T: Deserialize<'a>>(bytes: &'a [u8]) -> Result<T, ApiError> {
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

/// A body field as it came: its text, borrowed from the request wherever JSON allows (no escapes), or
/// the JSON type it had instead (in Joi's words). The image is most of a request's bytes: reading it
/// into a `Value` copied all of them, even for a request refused for another field.
/// A JSON `null` is not a field: as `Option<Field>` it reads as absent, as serde does for `Value`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Field<'a> {
    Text(Cow<'a, str>),
    Other(&'static str),
}

impl<'de: 'a, 'a> Deserialize<'de> for Field<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Any<'a>(std::marker::PhantomData<Field<'a>>);
        impl<'de: 'a, 'a> Visitor<'de> for Any<'a> {
            type Value = Field<'a>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Field<'a>, E> {
                Ok(Field::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Field<'a>, E> {
                Ok(Field::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E>(self, v: String) -> Result<Field<'a>, E> {
                Ok(Field::Text(Cow::Owned(v)))
            }
            fn visit_bool<E>(self, _: bool) -> Result<Field<'a>, E> {
                Ok(Field::Other("boolean"))
            }
            fn visit_i64<E>(self, _: i64) -> Result<Field<'a>, E> {
                Ok(Field::Other("number"))
            }
            fn visit_u64<E>(self, _: u64) -> Result<Field<'a>, E> {
                Ok(Field::Other("number"))
            }
            fn visit_f64<E>(self, _: f64) -> Result<Field<'a>, E> {
                Ok(Field::Other("number"))
            }
            fn visit_unit<E>(self) -> Result<Field<'a>, E> {
                Ok(Field::Other("null"))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Field<'a>, A::Error> {
                while seq.next_element::<IgnoredAny>()?.is_some() {}
                Ok(Field::Other("array"))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Field<'a>, A::Error> {
                while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
                Ok(Field::Other("object"))
            }
        }
        d.deserialize_any(Any(std::marker::PhantomData))
    }
}

/// The type of a JSON value in Joi's words, for "must be a string" style messages.
pub(crate) fn json_type(v: &serde_json::Value) -> &'static str {
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

    /// A field reads as the same type name `json_type` gives a `Value`, borrows an unescaped string,
    /// and `null` is absent.
    #[test]
    fn a_field_borrows_its_text_and_names_any_other_type() {
        #[derive(serde::Deserialize)]
        struct One<'a> {
            #[serde(borrow)]
            f: Option<Field<'a>>,
        }
        let read = |b: &'static str| parse_object::<One<'_>>(b.as_bytes()).map(|o| o.f).map_err(|e| e.body.message);
        assert!(matches!(read(r#"{"f":"abc"}"#), Ok(Some(Field::Text(Cow::Borrowed("abc"))))));
        assert!(matches!(read(r#"{"f":"a\u0062c"}"#), Ok(Some(Field::Text(Cow::Owned(ref s)))) if s == "abc"));
        assert_eq!(read(r#"{"f":null}"#), Ok(None));
        assert_eq!(read(r#"{}"#), Ok(None));
        for (json, value) in [
            ("7", serde_json::json!(7)),
            ("-1.5", serde_json::json!(-1.5)),
            ("true", serde_json::json!(true)),
            (r#"[1,{"x":[]}]"#, serde_json::json!([1, {"x": []}])),
            (r#"{"a":"b"}"#, serde_json::json!({"a": "b"})),
        ] {
            let body: &'static str = Box::leak(format!(r#"{{"f":{json}}}"#).into_boxed_str());
            assert_eq!(read(body), Ok(Some(Field::Other(json_type(&value)))), "{json}");
        }
        assert_eq!(read(r#"{"f":1,"f":2}"#), Err("\"f\" is given more than once".to_owned()));
    }
}
