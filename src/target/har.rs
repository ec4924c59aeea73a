//! `--har FILE`: every exchange of a run as HAR 1.2, the format browsers' network panels and HAR
//! viewers open. Redacted like every other report: a credential shows as its kind and claims, an
//! image as `fixture:<id> sha256:<prefix>` (or `image sha256:<prefix>` for one the suite made up),
//! other long secrets by their summary; byte sizes are those sent and received.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::client::{Body, Call};
use super::exchange::Exchange;
use super::redact;
use crate::api::short_digest;

/// The exchanges of a run, redacted as they are recorded.
#[derive(Default)]
pub struct HarLog {
    entries: Mutex<Vec<Value>>,
    /// Fixture ids by the digest of the image text the suite sends.
    names: Mutex<HashMap<String, String>>,
}

impl HarLog {
    /// Names an image the suite sends, so the HAR shows its fixture id instead of its bytes.
    pub(crate) fn name_image(&self, text: &str, id: &str) {
        self.names.lock().unwrap_or_else(|p| p.into_inner()).insert(short_digest(text.as_bytes()), id.to_owned());
    }

    fn image(&self, text: &str) -> String {
        let digest = short_digest(text.as_bytes());
        match self.names.lock().unwrap_or_else(|p| p.into_inner()).get(&digest) {
            Some(id) => format!("fixture:{id} sha256:{digest}"),
            None => format!("image sha256:{digest} ({} chars)", text.len()),
        }
    }

    /// A request body with images named and every other secret summarised.
    fn body(&self, v: &Value) -> Value {
        match v {
            Value::String(s) if s.starts_with("data:") => Value::String(self.image(s)),
            Value::Object(m) => Value::Object(
                m.iter()
                    .map(|(k, v)| match (k.as_str(), v) {
                        ("image", Value::String(s)) => (k.clone(), Value::String(self.image(s))),
                        _ => (k.clone(), self.body(v)),
                    })
                    .collect(),
            ),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.body(v)).collect()),
            other => redact::redact_value(other),
        }
    }

    pub(super) fn record(&self, base: &str, call: &Call, x: &Exchange, started: chrono::DateTime<chrono::Utc>) {
        let mut headers = Vec::new();
        if let Some(a) = &call.authorization {
            let shown = match a.split_once(' ') {
                Some((scheme, token)) => format!("{scheme} <{}>", redact::token(token)),
                None => format!("<{}>", redact::token(a)),
            };
            headers.push(json!({"name": "Authorization", "value": shown}));
        }
        let (body_size, post) = match &call.body {
            Body::None => (0, None),
            Body::Json(v) => {
                headers.push(json!({"name": "Content-Type", "value": "application/json"}));
                let text = self.body(v).to_string();
                (v.to_string().len(), Some(json!({"mimeType": "application/json", "text": text})))
            }
            Body::Raw { bytes, content_type } => {
                if let Some(ct) = content_type {
                    headers.push(json!({"name": "Content-Type", "value": ct}));
                }
                let text = format!("<{} bytes, sha256 {}>", bytes.len(), short_digest(bytes));
                (bytes.len(), Some(json!({"mimeType": content_type.clone().unwrap_or_default(), "text": text})))
            }
        };
        let mut request = json!({
            "method": call.method.as_str(),
            "url": format!("{base}{}", call.path),
            "httpVersion": "HTTP/1.1",
            "cookies": [],
            "headers": headers,
            "queryString": [],
            "headersSize": -1,
            "bodySize": body_size,
        });
        if let Some(p) = post {
            request["postData"] = p;
        }
        let mut response_headers = Vec::new();
        if let Some(ct) = &x.content_type {
            response_headers.push(json!({"name": "Content-Type", "value": ct}));
        }
        if let Some(s) = x.retry_after {
            response_headers.push(json!({"name": "Retry-After", "value": s.to_string()}));
        }
        let text = match (&x.body, &x.body_snippet) {
            (Some(b), _) => Some(redact::redact_value(b).to_string()),
            (None, Some(s)) => Some(s.clone()),
            (None, None) => None,
        };
        let mut content = json!({"size": x.body_bytes, "mimeType": x.content_type.clone().unwrap_or_default()});
        if let Some(t) = text {
            content["text"] = Value::String(t);
        }
        let millis = x.elapsed.as_secs_f64() * 1000.0;
        let entry = json!({
            "startedDateTime": started.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            "time": millis,
            "request": request,
            "response": {
                "status": x.status.as_u16(),
                "statusText": x.status.canonical_reason().unwrap_or_default(),
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": response_headers,
                "content": content,
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": x.body_bytes,
            },
            "cache": {},
            "timings": {"send": 0, "wait": millis, "receive": 0},
        });
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).push(entry);
    }

    /// The whole log, entries in the order they started.
    pub(crate) fn document(&self) -> Value {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner()).clone();
        entries.sort_by(|a, b| a["startedDateTime"].as_str().cmp(&b["startedDateTime"].as_str()));
        json!({"log": {
            "version": "1.2",
            "creator": {"name": "verifik-conformance", "version": env!("CARGO_PKG_VERSION")},
            "entries": entries,
        }})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_named_and_tokens_summarised() {
        let har = HarLog::default();
        let face = "data:image/jpeg;base64,/9j/4AAQSkZJRgABAQAAAQABAAD";
        har.name_image(face, "grace_hopper/original.jpg");
        let call =
            Call::post("/v2/x", json!({"image": face, "os": "IOS", "other": "data:image/png;base64,iVBORw0KGgo"}))
                .bearer("eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl");
        let x = Exchange::synthetic(reqwest::StatusCode::CONFLICT, json!({"data": {"token": "eyJa.eyJb.c2ln"}}));
        har.record("http://h", &call, &x, chrono::Utc::now());
        let text = har.document().to_string();
        assert!(text.contains("fixture:grace_hopper/original.jpg sha256:"), "{text}");
        assert!(text.contains("\"bodySize\":") && text.contains("\"status\":409"), "{text}");
        for secret in ["/9j/4AAQ", "iVBORw0KGgo", "c2lnbmF0dXJl", "c2ln\""] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
}
