//! Observed snapshots: what a target actually answered on the central endpoint, per behaviour, kept
//! so a later run can say what *changed* even while everything still conforms (a vendor that starts
//! answering 403 where it answered 401, a new field, a reworded message). `--record-observed DIR`
//! writes them; `--observed DIR` compares with them: each change is a warning (a failure under
//! `--strict`). Each answer is normalised first, with the redactions of `snapshots/`: ids and numbers
//! are masked in messages, and a body is kept only as its shape (keys and value types).

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::behaviour::BehaviourId;
use crate::target::Exchange;

/// The format of the files this build writes.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// The file in the directory that records how the snapshots were made.
const INDEX: &str = "observed.json";

/// How the snapshots of a directory were made: comparing runs of other seeds compares other cases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub format_version: u32,
    pub seed: u64,
    pub cases: u32,
}

/// One behaviour's normalised answers, in the order they came.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Snapshot {
    format_version: u32,
    behaviour: String,
    answers: Vec<Value>,
}

pub struct Observed {
    /// The answers of the earlier run (`--observed`), by behaviour id.
    recorded: Option<HashMap<String, Vec<Value>>>,
    seen: Mutex<HashMap<BehaviourId, Vec<Value>>>,
}

/// Why a directory of observed answers cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ObservedError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not {what}", path.display())]
    Parse {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &'static str) -> Result<T, ObservedError> {
    let text = std::fs::read_to_string(path).map_err(|source| ObservedError::Read { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| ObservedError::Parse { path: path.to_owned(), what, source })
}

/// The seed and cases a directory was recorded with.
pub fn index(dir: &Path) -> Result<Index, ObservedError> {
    read_json(&dir.join(INDEX), "an observed-answers index")
}

impl Observed {
    /// Keeps what this run answers; compares it with `earlier` when given.
    pub(crate) fn new(earlier: Option<&Path>) -> Result<Observed, ObservedError> {
        let recorded = match earlier {
            None => None,
            Some(dir) => {
                index(dir)?;
                let mut all = HashMap::new();
                let entries =
                    std::fs::read_dir(dir).map_err(|source| ObservedError::Read { path: dir.to_owned(), source })?;
                for path in entries.flatten().map(|e| e.path()) {
                    if path.extension().is_none_or(|x| x != "json") || path.ends_with(INDEX) {
                        continue;
                    }
                    let s: Snapshot = read_json(&path, "an observed snapshot")?;
                    all.insert(s.behaviour, s.answers);
                }
                Some(all)
            }
        };
        Ok(Observed { recorded, seen: Mutex::new(HashMap::new()) })
    }

    /// Notes an answer of the central endpoint.
    pub(crate) fn note(&self, behaviour: BehaviourId, x: &Exchange) {
        self.seen.lock().unwrap_or_else(|p| p.into_inner()).entry(behaviour).or_default().push(normalise(x));
    }

    /// What changed in a behaviour's answers since the earlier run; nothing when there is no earlier
    /// run or it did not run this behaviour.
    pub(crate) fn changes(&self, behaviour: BehaviourId) -> Vec<String> {
        let Some(before) = self.recorded.as_ref().and_then(|r| r.get(behaviour.0)) else { return Vec::new() };
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let now = seen.get(&behaviour).map(Vec::as_slice).unwrap_or_default();
        // Answers are compared as a multiset: which of N racing requests won is not a change.
        let counted = |answers: &[Value]| {
            let mut keys: Vec<String> = answers.iter().map(Value::to_string).collect();
            keys.sort();
            keys
        };
        if counted(before) == counted(now) {
            return Vec::new();
        }
        // One line per kind of change, naming the answers it was seen in.
        let mut kinds: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, (a, b)) in before.iter().zip(now).enumerate() {
            if let Some(d) = describe(a, b) {
                match kinds.iter_mut().find(|(k, _)| *k == d) {
                    Some((_, at)) => at.push(i + 1),
                    None => kinds.push((d, vec![i + 1])),
                }
            }
        }
        let mut out: Vec<String> = kinds
            .into_iter()
            .map(|(d, at)| {
                let shown: Vec<String> = at.iter().take(5).map(ToString::to_string).collect();
                let more = if at.len() > 5 { format!(" and {} more", at.len() - 5) } else { String::new() };
                let noun = if at.len() == 1 { "answer" } else { "answers" };
                format!("{noun} {}{more} of the central endpoint: {d}", shown.join(", "))
            })
            .collect();
        if before.len() != now.len() {
            out.push(format!("{} answers of the central endpoint recorded, {} now", before.len(), now.len()));
        }
        out
    }

    /// Writes every behaviour's answers into `dir`, with the index; returns how many files.
    pub(crate) fn write(&self, dir: &Path, seed: u64, cases: u32) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        let index = Index { format_version: FORMAT_VERSION, seed, cases };
        crate::target::redactor::write_artefact(&dir.join(INDEX), serde_json::to_string_pretty(&index)? + "\n")?;
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        for (id, answers) in seen.iter() {
            let s = Snapshot { format_version: FORMAT_VERSION, behaviour: id.0.to_owned(), answers: answers.clone() };
            crate::target::redactor::write_artefact(&file_for(dir, id.0), serde_json::to_vec_pretty(&s)?)?;
        }
        Ok(seen.len())
    }
}

fn file_for(dir: &Path, id: &str) -> PathBuf {
    dir.join(format!("{id}.json"))
}

/// An answer as it is compared: status, error code, the message with ids and numbers masked, and
/// the body's shape.
pub(crate) fn normalise(x: &Exchange) -> Value {
    let error = x.error().ok();
    json!({
        "status": x.status.as_u16(),
        "code": error.as_ref().map(|e| e.code.clone()),
        "message": error.map(|e| mask(&e.message)),
        "shape": x.body.as_ref().map(shape),
    })
}

/// Hex ids become `<id>` and digit runs `#`, so a fresh id or another score is not a change.
fn mask(message: &str) -> String {
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
fn describe(before: &Value, now: &Value) -> Option<String> {
    let mut parts = Vec::new();
    for field in ["status", "code", "message"] {
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
