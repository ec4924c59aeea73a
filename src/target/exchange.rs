//! `Exchange`: one request and its response, as every check reads them. The request side is kept
//! only in redacted form, so an exchange can be written to any report as it is.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    /// Headers and body as sent, with tokens and images replaced by their summaries.
    pub request: Value,
    pub status: u16,
    /// `Retry-After` in seconds, when the target sent one.
    pub retry_after: Option<u64>,
    pub content_type: Option<String>,
    /// The body when it parsed as JSON.
    pub body: Option<Value>,
    /// The first bytes of a body that did not parse as JSON, lossily decoded.
    pub body_snippet: Option<String>,
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl Exchange {
    pub fn is_json(&self) -> bool {
        self.content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("application/json"))
    }

    /// The JSON body, or `Null` when there was none.
    pub fn json(&self) -> &Value {
        self.body.as_ref().unwrap_or(&Value::Null)
    }

    /// `POST /path -> 409 {"code":...}`, redacted, for failure messages.
    pub fn summary(&self) -> String {
        let body = match (&self.body, &self.body_snippet) {
            (Some(b), _) => crate::target::redact::redact_value(b).to_string(),
            (None, Some(s)) => format!("{s:?}"),
            (None, None) => "(empty body)".to_owned(),
        };
        let body: String = body.chars().take(400).collect();
        format!("{} {} -> {} {}", self.method, self.path, self.status, body)
    }
}
