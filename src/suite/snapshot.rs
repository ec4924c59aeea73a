//! The snapshot oracle: one representative response per example behaviour, kept in `snapshots/` as
//! an insta `.snap` file named by the behaviour id. Volatile values are redacted by redactions that
//! check the shape of what they hide (an id must be an ObjectId, a timestamp ISO-8601), so a
//! redaction never hides a regression.
//!
//! Snapshots describe the emulator's answers: they are checked on the emulator profile only, and only
//! where the source tree's `snapshots/` folder exists.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::PathBuf;

use insta::internals::Content;
use serde_json::json;

use super::oracle::{self, fields};
use crate::api::{ID_FIELDS, ObjectId};
use crate::schemas::SchemaSet;
use crate::target::Exchange;

/// The folder the snapshots live in, fixed at build time.
pub fn folder() -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/snapshots"))
}

fn object_id(value: Content) -> String {
    match value.as_str() {
        Some(s) if ObjectId::is_object_id(s) => "[objectId]".to_owned(),
        _ => format!("[NOT AN OBJECTID: {value:?}]"),
    }
}

fn timestamp(value: Content) -> String {
    match value.as_str().map(chrono::DateTime::parse_from_rfc3339) {
        Some(Ok(_)) => "[timestamp]".to_owned(),
        _ => format!("[NOT A TIMESTAMP: {value:?}]"),
    }
}

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

fn settings(dir: &std::path::Path) -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path(dir);
    s.set_prepend_module_to_snapshot(false);
    s.set_omit_expression(true);
    s.set_sort_maps(true);
    for field in ID_FIELDS {
        s.add_dynamic_redaction(&format!(".body.data.{field}"), |v, _| object_id(v));
    }
    for field in ["createdAt", "updatedAt"] {
        s.add_dynamic_redaction(&format!(".body.data.{field}"), |v, _| timestamp(v));
    }
    s
}

/// Compares `x` with `snapshots/<name>.snap`; `Err` describes a difference (insta has printed the
/// diff and, outside CI, written a `.snap.new` to review). Only the fields the schemas name are
/// compared: an extra field is the undocumented-field oracle's finding, a warning against the vendor,
/// and not a snapshot difference as well.
pub(crate) fn check(dir: &std::path::Path, name: &str, x: &Exchange, schemas: &SchemaSet) -> Result<(), String> {
    let body = x.body.as_ref().map(|b| fields::documented_part(schemas, oracle::schema_for(x), b));
    let value = json!({"status": x.status.as_u16(), "contentType": x.content_type, "body": body});
    let outcome = catch_unwind(AssertUnwindSafe(|| settings(dir).bind(|| insta::assert_json_snapshot!(name, value))));
    outcome.map_err(|_| {
        format!("the response differs from snapshots/{name}.snap (diff above; accept a deliberate change with INSTA_UPDATE=always)")
    })
}
