//! `Exchange`: one response and what the checks need of its request (method, path, the credential it
//! presented). Reports show an exchange through `summary`, which redacts; the raw request stays in the
//! journal for reproductions.

use std::time::Duration;

use reqwest::StatusCode;
use serde::Serialize;
use serde_json::Value;

use super::untrusted::Untrusted;

use crate::api::{ErrorBody, Missing, RegistrationView};

#[derive(Debug, Clone, Serialize)]
pub struct Exchange {
    pub method: String,
    pub path: String,
    #[serde(serialize_with = "as_u16")]
    pub status: StatusCode,
    /// `Retry-After` in seconds, when the target sent one.
    pub retry_after: Option<u64>,
    pub content_type: Option<String>,
    /// Every response header (names lower-case, values lossily decoded): the privacy oracle reads them
    /// all, so they are never written anywhere as they are.
    #[serde(skip)]
    pub headers: Vec<(String, String)>,
    /// The body when it parsed as JSON.
    pub body: Option<Value>,
    /// The first bytes of a body that did not parse as JSON, lossily decoded.
    pub body_snippet: Option<String>,
    /// The whole of a body that did not parse as JSON, lossily decoded; only oracles read it (it may
    /// hold what the privacy oracle looks for, so it is never written anywhere).
    #[serde(skip)]
    pub text: Option<String>,
    /// The credential the request presented, so that a response quoting it is never summarised with it.
    #[serde(skip)]
    pub sent_credential: Option<String>,
    #[serde(serialize_with = "as_millis")]
    pub elapsed: Duration,
    /// The length of the body as read (at most the client's cap).
    #[serde(skip)]
    pub body_bytes: usize,
    /// The body went on past the client's cap, and was not read further.
    #[serde(skip)]
    pub truncated: bool,
    /// Its number in the run, by which a failure finds its request in the journal.
    #[serde(skip)]
    pub seq: u64,
}

fn as_u16<S: serde::Serializer>(status: &StatusCode, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_u16(status.as_u16())
}

fn as_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64() * 1000.0)
}

impl Exchange {
    /// An answer to `POST` of the central endpoint, for unit tests of what reads exchanges.
    #[cfg(test)]
    pub(crate) fn synthetic(status: StatusCode, body: Value) -> Exchange {
        Exchange {
            method: "POST".into(),
            path: crate::api::CENTRAL_PATH.into(),
            status,
            retry_after: None,
            content_type: Some("application/json".into()),
            headers: Vec::new(),
            body: Some(body),
            body_snippet: None,
            text: None,
            sent_credential: None,
            elapsed: Duration::ZERO,
            body_bytes: 0,
            truncated: false,
            seq: 0,
        }
    }

    pub(crate) fn is_json(&self) -> bool {
        self.content_type
            .as_deref()
            .and_then(|ct| ct.split(';').next())
            .is_some_and(|e| e.trim().eq_ignore_ascii_case("application/json"))
    }

    /// The JSON body, or `Null` when there was none. For checks about raw JSON and for reports; a
    /// check that depends on a field reads it through a typed accessor instead.
    pub(crate) fn json(&self) -> &Value {
        self.body.as_ref().unwrap_or(&Value::Null)
    }

    /// The body as an error body (`code`, `message` and the liveness extras).
    pub(crate) fn error(&self) -> Result<ErrorBody, Missing> {
        ErrorBody::read(self.body.as_ref())
    }

    /// The body as an App Registration in `data` (a 200 of the central endpoint, or a read-back).
    pub(crate) fn registration(&self, what: &'static str) -> Result<RegistrationView, Missing> {
        RegistrationView::read(what, self.body.as_ref())
    }

    /// `POST /path -> 409 {"code":...}`, for failure messages: shape-redacted here, and still the
    /// target's text, written only through the run's redactor.
    pub(crate) fn summary(&self) -> Untrusted {
        let body = match (&self.body, &self.body_snippet) {
            (Some(b), _) => crate::target::redact::redact_value(b).to_string(),
            (None, Some(s)) => format!("{s:?}"),
            (None, None) => "(empty body)".to_owned(),
        };
        // A response that quotes the request's own credential inside a short string would slip past
        // the shape-based redaction above; it is replaced by name.
        let body = match self.sent_credential.as_deref().filter(|c| c.len() >= 8) {
            Some(c) => body.replace(c, "[the request's token]"),
            None => body,
        };
        let body: String = body.chars().take(400).collect();
        Untrusted::from(format!("{} {} -> {} {}", self.method, self.path, self.status.as_u16(), body))
    }
}
