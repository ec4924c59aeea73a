//! `Call`: one request to make (method, path, the whole `Authorization` value, a body), and how
//! reports may show it.

use reqwest::Method;
use serde_json::{Value, json};

use super::redact;

/// A request body.
#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(Value),
    /// Bytes sent as they are, with this content type (or none).
    Raw {
        bytes: Vec<u8>,
        content_type: Option<String>,
    },
}

/// One request to make.
#[derive(Debug, Clone)]
pub struct Call {
    pub method: Method,
    pub path: String,
    /// The whole `Authorization` header value, if any.
    pub authorization: Option<String>,
    pub body: Body,
}

impl Call {
    pub(crate) fn new(method: Method, path: impl Into<String>) -> Call {
        Call { method, path: path.into(), authorization: None, body: Body::None }
    }

    pub fn get(path: impl Into<String>) -> Call {
        Call::new(Method::GET, path)
    }

    pub(crate) fn post(path: impl Into<String>, body: Value) -> Call {
        Call { body: Body::Json(body), ..Call::new(Method::POST, path) }
    }

    pub(crate) fn bearer(mut self, token: &str) -> Call {
        self.authorization = Some(format!("Bearer {token}"));
        self
    }

    pub(crate) fn authorization(mut self, value: Option<String>) -> Call {
        self.authorization = value;
        self
    }

    pub(crate) fn raw(mut self, bytes: Vec<u8>, content_type: Option<&str>) -> Call {
        self.body = Body::Raw { bytes, content_type: content_type.map(str::to_owned) };
        self
    }

    /// The credential this request presents: the `Authorization` value after its scheme.
    pub(crate) fn credential(&self) -> Option<&str> {
        let a = self.authorization.as_deref()?;
        Some(a.split_once(' ').map_or(a, |(_, token)| token.trim())).filter(|t| !t.is_empty())
    }

    /// The `image` text this request submits, from a JSON body or raw bytes that parse as JSON.
    pub(crate) fn image(&self) -> Option<String> {
        let parsed;
        let v = match &self.body {
            Body::None => return None,
            Body::Json(v) => v,
            Body::Raw { bytes, .. } => {
                parsed = serde_json::from_slice::<Value>(bytes).ok()?;
                &parsed
            }
        };
        v.get("image")?.as_str().map(str::to_owned)
    }

    /// The request as reports may show it.
    pub(super) fn redacted(&self) -> Value {
        let auth = self.authorization.as_deref().map(|a| match a.split_once(' ') {
            Some((scheme, token)) => format!("{scheme} <{}>", redact::token(token)),
            None => format!("<{}>", redact::token(a)),
        });
        let body = match &self.body {
            Body::None => Value::Null,
            Body::Json(v) => redact::redact_value(v),
            Body::Raw { bytes, content_type } => json!({
                "contentType": content_type,
                "bytes": bytes.len(),
                "sha256": crate::api::short_digest(bytes),
            }),
        };
        json!({"authorization": auth, "body": body})
    }
}
