//! `Call`: one request to make (method, path, the whole `Authorization` value, a body), and how
//! reports may show it.

use reqwest::Method;
use serde_json::Value;

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

    /// The `image` text this request submits, from a JSON body or raw bytes that parse as JSON. Borrowed
    /// where it can be: an image is tens or hundreds of kilobytes, and every answer's privacy check asks.
    pub(crate) fn image(&self) -> Option<std::borrow::Cow<'_, str>> {
        match &self.body {
            Body::None => None,
            Body::Json(v) => v.get("image")?.as_str().map(std::borrow::Cow::Borrowed),
            Body::Raw { bytes, .. } => {
                let parsed = serde_json::from_slice::<Value>(bytes).ok()?;
                parsed.get("image")?.as_str().map(|s| std::borrow::Cow::Owned(s.to_owned()))
            }
        }
    }
}
