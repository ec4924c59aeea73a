//! `--ndjson FILE`: a header record, then one JSON object per check (behaviour, check, seed, verdict,
//! redacted exchange).
//!
//! The header (`"record": "header"`) carries `format_version`, when the run started, the target, the
//! suite's version, the seed and the profile, so a file can be read back and ordered later; files
//! written before it had no header and hold events only.

use std::io::Write;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::suite::Profile;
use crate::suite::event::Verdict;
use crate::suite::runner::RunResult;

/// The NDJSON format this build writes.
pub(crate) const FORMAT_VERSION: u32 = 1;

/// The first record of a file: written by `write`, read back by `replay`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    /// Always `header`: what tells this record from the events.
    pub record: String,
    pub format_version: u32,
    pub started_at: String,
    pub target: String,
    pub suite: String,
    pub seed: u64,
    /// Files written before it was recorded ran the default number of cases.
    #[serde(default = "default_cases")]
    pub cases: u32,
    pub profile: Option<Profile>,
}

fn default_cases() -> u32 {
    crate::suite::DEFAULT_CASES
}

/// What a reader needs of an event record (the writer writes the whole `Event`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventRecord {
    pub behaviour: String,
    pub verdict: Verdict,
}

/// One line of a file.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum Record {
    Header(Header),
    Event(EventRecord),
}

pub(crate) fn write(path: &Path, result: &RunResult) -> std::io::Result<()> {
    let mut out = Vec::new();
    let header = Header {
        record: "header".to_owned(),
        format_version: FORMAT_VERSION,
        started_at: result.started_at.clone(),
        target: result.target.clone(),
        suite: format!("verifik-conformance {}", env!("CARGO_PKG_VERSION")),
        seed: result.seed,
        cases: result.cases,
        profile: result.profile,
    };
    serde_json::to_writer(&mut out, &header)?;
    out.write_all(b"\n")?;
    for e in &result.events {
        serde_json::to_writer(&mut out, e)?;
        out.write_all(b"\n")?;
    }
    crate::target::redactor::write_artefact(path, out)
}
