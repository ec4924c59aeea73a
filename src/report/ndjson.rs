//! `--ndjson FILE`: a header record, then one JSON object per check (behaviour, check, seed, verdict,
//! redacted exchange).
//!
//! The header (`"record": "header"`) carries `format_version`, when the run started, the target, the
//! suite's version, the seed and the profile, so a file can be read back and ordered later; files
//! written before it had no header and hold events only.

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

/// The header line, then one line per event.
pub(crate) fn render(result: &RunResult) -> String {
    let mut out = String::new();
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
    // Plain data of our own types: serialising cannot fail.
    for line in std::iter::once(serde_json::to_string(&header)).chain(result.events.iter().map(serde_json::to_string)) {
        out.push_str(&line.unwrap_or_default());
        out.push('\n');
    }
    out
}
