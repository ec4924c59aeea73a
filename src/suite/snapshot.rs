//! The snapshot oracle: one representative response per example behaviour, kept in `snapshots/` as
//! an insta `.snap` file named by the behaviour id. Volatile values are redacted by redactions that
//! check the shape of what they hide (an id must be an ObjectId, a timestamp ISO-8601), so a
//! redaction never hides a regression.
//!
//! Snapshots describe the emulator's answers: they are checked on the emulator profile only, and only
//! where the source tree's `snapshots/` folder exists. The comparison is ours, not insta's assertion:
//! insta reads the file and normalises both sides, but its assertion panics and prints the target's
//! answer itself, past the redactor; a difference here is a finding with a diff (`similar`).

use std::path::{Path, PathBuf};

use insta::TextSnapshotKind;
use insta::internals::TextSnapshotContents;
use serde_json::{Value, json};

use super::oracle::{self, fields};
use crate::api::{ID_FIELDS, ObjectId};
use crate::schemas::SchemaSet;
use crate::target::Exchange;

/// The folder the snapshots live in, fixed at build time.
pub fn folder() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"))
}

/// The header of every snapshot file, as insta writes it.
const HEADER: &str = "---\nsource: src/suite/snapshot.rs\n---\n";

/// Where a run reads snapshots from: the source folder, or (`throw_away`) a copy, so that the
/// mismatches of a target other than the conformant emulator never leave `.snap.new` files in the
/// source tree. `None` when the source tree is not at hand.
pub(crate) fn folder_for_run(throw_away: bool) -> Option<PathBuf> {
    let source = folder();
    if !source.is_dir() {
        return None;
    }
    if !throw_away {
        return Some(source);
    }
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let copy = std::env::temp_dir().join(format!("verifik-snapshots-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&copy).ok()?;
    for entry in std::fs::read_dir(&source).ok()?.flatten() {
        if entry.path().extension().is_some_and(|e| e == "snap") {
            std::fs::copy(entry.path(), copy.join(entry.file_name())).ok()?;
        }
    }
    Some(copy)
}

/// A value that must be an ObjectId, or says that it is not.
fn object_id(v: &Value) -> Value {
    match v.as_str() {
        Some(s) if ObjectId::is_object_id(s) => json!("[objectId]"),
        _ => json!(format!("[NOT AN OBJECTID: {v}]")),
    }
}

/// A value that must be an RFC 3339 time stamp, or says that it is not.
fn timestamp(v: &Value) -> Value {
    match v.as_str().map(chrono::DateTime::parse_from_rfc3339) {
        Some(Ok(_)) => json!("[timestamp]"),
        _ => json!(format!("[NOT A TIMESTAMP: {v}]")),
    }
}

/// What a snapshot holds of an answer: its status, its media type (parameters dropped: `charset=utf-8`
/// is the same JSON), and the fields the schemas name, with ids and time stamps redacted only when they
/// have the shape they must have, keys sorted, as pretty JSON.
pub(crate) fn render(x: &Exchange, schemas: &SchemaSet) -> String {
    let mut body = x.body.as_ref().map(|b| fields::documented_part(schemas, oracle::schema_for(x), b));
    if let Some(Value::Object(data)) = body.as_mut().and_then(|b| b.get_mut("data")) {
        for field in ID_FIELDS {
            if let Some(v) = data.get_mut(field) {
                *v = object_id(v);
            }
        }
        for field in ["createdAt", "updatedAt"] {
            if let Some(v) = data.get_mut(field) {
                *v = timestamp(v);
            }
        }
    }
    let media = x.content_type.as_deref().map(super::observed::media_type);
    let value = json!({"status": x.status.as_u16(), "contentType": media, "body": body});
    serde_json::to_string_pretty(&super::observed::sorted(&value)).unwrap_or_default()
}

/// How a difference is handled: the conformant embedded emulator compares against the source folder,
/// where a difference is written beside the snapshot for review (or, with `--accept-snapshots`, over
/// it); any other target compares against a throw-away copy, and its difference is only reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OnDifference {
    Report,
    Review,
    Accept,
}

/// Compares `x` with `<dir>/<name>.snap`. A difference is a finding, never a panic: its message holds
/// the diff and, for the emulator's own snapshots, the file to review and how to accept it.
pub(crate) fn check(dir: &Path, name: &str, x: &Exchange, schemas: &SchemaSet, on: OnDifference) -> Result<(), String> {
    let text = render(x, schemas);
    let (path, pending) = (dir.join(format!("{name}.snap")), dir.join(format!("{name}.snap.new")));
    let new = TextSnapshotContents::new(text.clone(), TextSnapshotKind::File);
    let old = insta::Snapshot::from_file(&path).ok().and_then(|s| s.as_text().cloned());
    if old.as_ref().is_some_and(|old| old.matches_latest(&new)) {
        let _ = std::fs::remove_file(&pending);
        return Ok(());
    }
    let file = format!("{HEADER}{text}\n");
    let (review, how) = match on {
        OnDifference::Accept => {
            let _ = std::fs::remove_file(&pending);
            // What a target said reaches a file only through the redactor, snapshots included.
            return crate::target::redactor::write_artefact(&path, file)
                .map_err(|e| format!("cannot write {}: {e}", path.display()));
        }
        OnDifference::Review => {
            let written = crate::target::redactor::write_artefact(&pending, file).is_ok();
            let review = if written { format!("; the new answer is in {}", pending.display()) } else { String::new() };
            (review, "; accept a deliberate change with `verifik-conformance run --accept-snapshots`")
        }
        OnDifference::Report => (String::new(), ""),
    };
    Err(match old {
        None => format!("there is no snapshots/{name}.snap yet{review}{how}"),
        Some(old) => {
            let (before, after) = (old.to_string(), new.to_string());
            let diff = similar::TextDiff::from_lines(&before, &after);
            let shown = diff.unified_diff().context_radius(2).header("snapshot", "this answer").to_string();
            format!("the response differs from snapshots/{name}.snap{review}{how}\n{}", shown.trim_end())
        }
    })
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;

    use super::*;

    /// A difference is reported with its diff and left beside the snapshot for review; accepting it
    /// rewrites the snapshot, after which the same answer matches; a `charset` parameter is no difference.
    #[test]
    fn a_difference_is_reviewed_then_accepted() {
        let schemas = SchemaSet::load().expect("schemas");
        let dir = std::env::temp_dir().join(format!("verifik-snapshot-unit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let answer = |message: &str| {
            let mut x =
                Exchange::synthetic(StatusCode::UNAUTHORIZED, json!({"code": "UNAUTHORIZED", "message": message}));
            x.content_type = Some("application/json; charset=utf-8".into());
            x
        };
        let old = answer("Authentication required");
        std::fs::write(dir.join("X.snap"), format!("{HEADER}{}\n", render(&old, &schemas))).expect("snapshot");
        assert_eq!(check(&dir, "X", &old, &schemas, OnDifference::Review), Ok(()));
        let new = answer("Please sign in first");
        let said = check(&dir, "X", &new, &schemas, OnDifference::Review).expect_err("a difference");
        assert!(
            said.contains("-    \"message\": \"Authentication required\"") && said.contains("--accept-snapshots"),
            "{said}"
        );
        assert!(dir.join("X.snap.new").is_file());
        assert_eq!(check(&dir, "X", &new, &schemas, OnDifference::Accept), Ok(()));
        assert!(!dir.join("X.snap.new").exists());
        assert_eq!(check(&dir, "X", &new, &schemas, OnDifference::Review), Ok(()));
        let reported = check(&dir, "X", &old, &schemas, OnDifference::Report).expect_err("a difference");
        assert!(!reported.contains("--accept-snapshots") && !dir.join("X.snap.new").exists(), "{reported}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
