//! `--ndjson FILE`: a header record, then one JSON object per check (behaviour, check, seed, verdict,
//! redacted exchange).
//!
//! The header (`"record": "header"`) carries `format_version`, when the run started, the target, the
//! suite's version, the seed and the profile, so a file can be read back and ordered later; files
//! written before it had no header and hold events only.

use std::io::Write;
use std::path::Path;

use serde_json::json;

use crate::suite::runner::RunResult;

/// The NDJSON format this build writes.
pub(crate) const FORMAT_VERSION: u32 = 1;

pub(crate) fn write(path: &Path, result: &RunResult) -> std::io::Result<()> {
    let mut out = Vec::new();
    let header = json!({
        "record": "header",
        "format_version": FORMAT_VERSION,
        "started_at": result.started_at,
        "target": result.target,
        "suite": format!("verifik-conformance {}", env!("CARGO_PKG_VERSION")),
        "seed": result.seed,
        "cases": result.cases,
        "profile": result.profile,
    });
    serde_json::to_writer(&mut out, &header)?;
    out.write_all(b"\n")?;
    for e in &result.events {
        serde_json::to_writer(&mut out, e)?;
        out.write_all(b"\n")?;
    }
    crate::target::redactor::write_artefact(path, out)
}
