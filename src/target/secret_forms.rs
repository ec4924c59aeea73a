//! How a credential can appear in text (as it is, JSON-escaped, URL-encoded, inside base64), and how
//! reports show one instead: the redactor replaces every form, the privacy oracle looks for every form.

use base64::Engine as _;
use serde_json::Value;

use crate::api::short_digest;

/// The forms a credential takes in text, each with how it was encoded (for a finding's message): as it
/// is, JSON-escaped, URL-encoded, and the stretches of its base64 that stand in any longer base64 text.
pub fn credential_forms(token: &str) -> Vec<(String, &'static str)> {
    let mut forms = vec![(token.to_owned(), "")];
    let mut add = |form: String, how: &'static str| {
        // A base64 stretch shorter than this could stand in ordinary text by chance.
        if form.len() >= 16 && !forms.iter().any(|(f, _)| *f == form) {
            forms.push((form, how));
        }
    };
    let escaped = serde_json::to_string(token).unwrap_or_default();
    add(escaped.trim_matches('"').to_owned(), " JSON-escaped");
    add(token.replace('/', "\\/"), " JSON-escaped");
    add(form_urlencoded::byte_serialize(token.as_bytes()).collect(), " URL-encoded");
    for form in base64_forms(token.as_bytes()) {
        add(form, " inside base64");
    }
    forms
}

/// The stretches of `token`'s base64 that do not depend on what stands before or after it, in both
/// alphabets and at the three byte alignments it can have inside a longer encoded text.
fn base64_forms(token: &[u8]) -> Vec<String> {
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let mut out = Vec::new();
    for skip in 0..3usize {
        let mut bytes = vec![0u8; skip];
        bytes.extend_from_slice(token);
        for engine in [&STANDARD_NO_PAD, &URL_SAFE_NO_PAD] {
            let encoded = engine.encode(&bytes);
            // The first characters mix the bytes before the token; the last two may mix those after.
            let first = (skip * 4).div_ceil(3);
            if encoded.len() > first + 2 {
                out.push(encoded[first..encoded.len() - 2].to_owned());
            }
        }
    }
    out
}

/// A credential as reports show it: `[JWT alg=HS256; appRegistrationId=…, exp=…; sha256 …]` or
/// `[credential, 36 chars, sha256 …]`.
pub(crate) fn shown_credential(token: &str) -> String {
    let digest = short_digest(token.as_bytes());
    let decode = |s: &str| {
        base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(s.trim_end_matches('='))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
    };
    let parts: Vec<&str> = token.split('.').collect();
    if let [h, c, _] = parts.as_slice()
        && let (Some(Value::Object(header)), Some(Value::Object(claims))) = (decode(h), decode(c))
    {
        let fields = |m: &serde_json::Map<String, Value>| {
            m.iter()
                .map(|(k, v)| {
                    let v = match v {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    format!("{}={}", safe(k), safe(&v))
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        return format!("[JWT {}; {}; sha256 {digest}]", fields(&header), fields(&claims));
    }
    format!("[credential, {} chars, sha256 {digest}]", token.len())
}

/// Text that JSON, HTML, XML and single-quoted shell words all keep as it is, at most 64 characters.
fn safe(s: &str) -> String {
    s.chars()
        .take(64)
        .map(|c| if c.is_ascii_alphanumeric() || " _.:,;/+=@#()-".contains(c) { c } else { '?' })
        .collect()
}
