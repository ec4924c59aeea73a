//! One answer as answer sets compare it: its status, media type (parameters dropped), error code,
//! message (ids, numbers and credentials masked: a credential keeps its kind only) and body shape
//! (keys and value types), with object keys in sorted order, so that key order, whitespace, a
//! `charset` parameter, header case and extra headers are not a change. And what differs between two
//! such answers, in words.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::target::Exchange;

/// An answer as it is compared; its keys sorted, so that its text is its identity.
pub(crate) fn normalise(x: &Exchange) -> Value {
    let error = x.error().ok();
    sorted(&json!({
        "status": x.status.as_u16(),
        "media": x.content_type.as_deref().map(media_type),
        "code": error.as_ref().map(|e| e.code.clone()),
        "message": error.map(|e| mask(&e.message)),
        "shape": x.body.as_ref().map(shape),
    }))
}

/// The media type without its parameters, in lower case: `application/json; charset=utf-8` is
/// `application/json`.
pub(crate) fn media_type(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or_default().trim().to_ascii_lowercase()
}

/// The same value with every object's keys in sorted order.
pub(crate) fn sorted(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            Value::Object(keys.into_iter().map(|k| (k.clone(), sorted(&m[k]))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

/// A message as it is compared: any credential it quotes becomes its kind (`[credential]`), hex ids
/// become `<id>` and digit runs `#`, so a fresh id, token or score is not a change.
fn mask(message: &str) -> String {
    let redacted = crate::target::untrusted::Untrusted::from(message).redacted();
    static KINDS: std::sync::LazyLock<Option<regex::Regex>> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"\[(JWT|credential|image base64)[^\]]*\]").ok());
    let kinds = match KINDS.as_ref() {
        Some(re) => re.replace_all(redacted.as_str(), "[$1]").into_owned(),
        None => redacted.as_str().to_owned(),
    };
    mask_ids(&kinds)
}

/// Hex ids become `<id>` and digit runs `#`.
pub(super) fn mask_ids(message: &str) -> String {
    let mut out = String::new();
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= 12 && run.chars().all(|c| c.is_ascii_hexdigit()) {
            out.push_str("<id>");
        } else if !run.is_empty() && run.chars().all(|c| c.is_ascii_digit()) {
            out.push('#');
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in message.chars() {
        if c.is_ascii_alphanumeric() {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

/// A body's keys and value types; an array by the shape of its first element.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(a) => Value::Array(a.first().map(shape).into_iter().collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("boolean"),
        Value::Null => json!("null"),
    }
}

/// Every `/pointer: type` of a shape.
fn leaves(v: &Value, at: String, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) if !m.is_empty() => m.iter().for_each(|(k, v)| leaves(v, format!("{at}/{k}"), out)),
        Value::Array(a) if !a.is_empty() => a.iter().for_each(|v| leaves(v, format!("{at}/0"), out)),
        other => {
            out.insert(format!(
                "{at}: {}",
                other.as_str().unwrap_or(if other.is_object() { "object" } else { "array" })
            ));
        }
    }
}

/// What differs between two normalised answers, in words.
pub(crate) fn describe(before: &Value, now: &Value) -> Option<String> {
    let mut parts = Vec::new();
    for field in ["status", "media", "code", "message"] {
        if before[field] != now[field] {
            parts.push(format!("{field} {} -> {}", before[field], now[field]));
        }
    }
    if before["shape"] != now["shape"] {
        let (mut a, mut b) = (BTreeSet::new(), BTreeSet::new());
        leaves(&before["shape"], String::new(), &mut a);
        leaves(&now["shape"], String::new(), &mut b);
        let gone: Vec<&String> = a.difference(&b).collect();
        let new: Vec<&String> = b.difference(&a).collect();
        parts.push(format!("body shape: added {new:?}, removed {gone:?}"));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

/// One answer in a few words with its message, for the forms an intermittent slot took.
pub(crate) fn describe_briefly(v: &Value) -> String {
    match v["message"].as_str() {
        Some(m) => format!("{} {m:?}", summary(v)),
        None => summary(v),
    }
}

/// One answer in a few words, for answers that appeared or went away.
pub(crate) fn summary(v: &Value) -> String {
    let code = v["code"].as_str().map_or(String::new(), |c| format!(" {c}"));
    format!("{}{code}", v["status"])
}

/// An answer set in a few words: each distinct answer, with how many times it came.
pub(crate) fn shown(answers: &[Value]) -> String {
    let parts: Vec<String> = counted(answers.iter().map(describe_briefly))
        .into_iter()
        .map(|(s, n)| if n == 1 { s } else { format!("{s} ×{n}") })
        .collect();
    parts.join(", ")
}

/// Equal lines said once, with how many times each came, in the order first seen.
fn counted(lines: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for line in lines {
        match out.iter_mut().find(|(seen, _)| *seen == line) {
            Some((_, n)) => *n += 1,
            None => out.push((line, 1)),
        }
    }
    out
}

/// What differs between two answer sets: pairs of answers that differ (matched by status where they
/// can be), answers that went away, and answers that are new.
pub fn difference(before: &[Value], now: &[Value]) -> String {
    let (mut gone, mut new): (Vec<&Value>, Vec<&Value>) = (before.iter().collect(), Vec::new());
    for a in now {
        match gone.iter().position(|b| *b == a) {
            Some(i) => {
                gone.remove(i);
            }
            None => new.push(a),
        }
    }
    let mut parts = Vec::new();
    let mut unpaired_new = Vec::new();
    for a in new {
        let pair = gone.iter().position(|b| b["status"] == a["status"]).or((!gone.is_empty()).then_some(0));
        match pair {
            Some(i) => {
                let b = gone.remove(i);
                parts.extend(describe(b, a));
            }
            None => unpaired_new.push(summary(a)),
        }
    }
    parts.extend(gone.iter().map(|b| format!("answer gone: {}", summary(b))));
    parts.extend(unpaired_new.into_iter().map(|a| format!("new answer: {a}")));
    // The same difference in several answers is said once, with how many.
    let said: Vec<String> = counted(parts.into_iter())
        .into_iter()
        .map(|(p, n)| if n == 1 { p } else { format!("{n} answers: {p}") })
        .collect();
    said.join("; ")
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    #[test]
    fn fresh_ids_and_scores_are_no_change_but_statuses_codes_and_fields_are() {
        let a = Exchange::synthetic(
            StatusCode::CONFLICT,
            json!({"code": "liveness_failed", "message": "409:liveness_failed@0.45"}),
        );
        let b = Exchange::synthetic(
            StatusCode::CONFLICT,
            json!({"code": "liveness_failed", "message": "409:liveness_failed@0.51"}),
        );
        assert_eq!(describe(&normalise(&a), &normalise(&b)), None);
        assert_eq!(mask("person 6650aa0b1c2d3e4f5a6b7c8d is set"), "person <id> is set");
        let u = Exchange::synthetic(
            StatusCode::UNAUTHORIZED,
            json!({"code": "UNAUTHORIZED", "message": "Authentication required"}),
        );
        let f = Exchange::synthetic(
            StatusCode::FORBIDDEN,
            json!({"code": "UNAUTHORIZED", "message": "Authentication required"}),
        );
        assert_eq!(describe(&normalise(&u), &normalise(&f)).as_deref(), Some("status 401 -> 403"));
        let ok = Exchange::synthetic(StatusCode::OK, json!({"data": {"_id": "x", "status": "STARTED"}}));
        let more = Exchange::synthetic(StatusCode::OK, json!({"data": {"_id": "y", "status": "STARTED", "debug": 1}}));
        let said = describe(&normalise(&ok), &normalise(&more)).expect("a change");
        assert_eq!(said, "body shape: added [\"/data/debug: number\"], removed []");
    }
}
