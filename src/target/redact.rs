//! Redaction: how tokens and images appear in failure messages and reports. They never appear as
//! themselves; a token is named by its kind and decoded header and claims (never the signature), an
//! image by its size and digest.

use base64::Engine as _;
use serde_json::Value;

use crate::api::short_digest;

/// A token as reports show it: `JWT {"alg":"HS256"} {"exp":...}` or `opaque token (N chars)`.
pub(crate) fn token(token: &str) -> String {
    let parts: Vec<&str> = token.split('.').collect();
    let decode = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    };
    if let [h, c, sig] = parts.as_slice()
        && let (Some(header), Some(claims)) = (decode(h), decode(c))
    {
        let claims = redact_value(&claims);
        return format!("JWT header {header} claims {claims} (signature {} chars)", sig.len());
    }
    format!("opaque token ({} chars, sha256 {})", token.len(), short_digest(token.as_bytes()))
}

/// An `image` field value as reports show it.
pub(crate) fn image(text: &str) -> String {
    // Only the data URI header is shown, and only when it is short enough to hold no payload.
    let head = match text.find(',') {
        Some(i) if i <= 60 && text.starts_with("data:") => &text[..=i],
        _ => "",
    };
    format!("{head}<{} chars, sha256 {}>", text.len(), image_digest(text))
}

/// The short digest of an image text, remembered for the last few texts: a run submits each fixture
/// face hundreds of times and every request is summarised, and comparing a remembered copy costs a
/// fraction of hashing it again (the hashing was a twelfth of a default run's time).
fn image_digest(text: &str) -> String {
    const KEPT: usize = 8;
    static SEEN: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, digest)) = seen.iter().find(|(t, _)| t.len() == text.len() && t == text) {
        return digest.clone();
    }
    let digest = short_digest(text.as_bytes());
    if seen.len() == KEPT {
        seen.remove(0);
    }
    seen.push((text.to_owned(), digest.clone()));
    digest
}

/// A JSON value with every long string that could be a token or image data replaced by its summary.
pub(crate) fn redact_value(v: &Value) -> Value {
    match v {
        Value::String(s) if looks_secret(s) => {
            Value::String(if s.starts_with("data:") || s.len() > 200 { image(s) } else { token(s) })
        }
        Value::Array(a) => Value::Array(a.iter().map(redact_value).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("image" | "token" | "clientToken" | "accessToken", Value::String(s)) if k == "image" => {
                            Value::String(image(s))
                        }
                        ("image" | "token" | "clientToken" | "accessToken", Value::String(s)) => {
                            Value::String(token(s))
                        }
                        _ => redact_value(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Whether `redact_value` would change `v`, found without building the redacted copy.
pub(crate) fn holds_secret(v: &Value) -> bool {
    match v {
        Value::String(s) => looks_secret(s),
        Value::Array(a) => a.iter().any(holds_secret),
        Value::Object(m) => m.iter().any(|(k, v)| {
            matches!((k.as_str(), v), ("image" | "token" | "clientToken" | "accessToken", Value::String(_)))
                || holds_secret(v)
        }),
        _ => false,
    }
}

fn looks_secret(s: &str) -> bool {
    s.starts_with("data:") || s.starts_with("eyJ") || s.len() > 200
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tokens_show_header_and_claims_but_never_the_signature() {
        let t = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjF9.c2lnbmF0dXJl";
        let shown = token(t);
        assert!(shown.contains("\"alg\":\"HS256\"") && shown.contains("\"exp\":1"), "{shown}");
        assert!(!shown.contains("c2lnbmF0dXJl"), "{shown}");
        assert!(!token("demo-secret").contains("demo-secret"));
    }

    #[test]
    fn images_keep_only_their_head() {
        let shown = image("data:image/jpeg;base64,/9j/4AAQSkZJRgABAQ");
        assert!(shown.starts_with("data:image/jpeg;base64,<"), "{shown}");
        assert!(!shown.contains("/9j/"), "{shown}");
        let v = redact_value(&json!({"image": "AAAA/9j/", "os": "IOS", "nested": [{"token": "abc"}]}));
        assert!(!v.to_string().contains("/9j/") && !v.to_string().contains("\"abc\""), "{v}");
        for plain in [json!({"os": "IOS", "force": true}), json!([1, "short", {"n": null}])] {
            assert!(!holds_secret(&plain) && redact_value(&plain) == plain, "{plain}");
        }
        for secret in [json!({"a": [{"token": "t"}]}), json!(["eyJhbGciOi"]), json!({"x": "y".repeat(201)})] {
            assert!(holds_secret(&secret) && redact_value(&secret) != secret, "{secret}");
        }
    }
}
