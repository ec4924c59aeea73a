//! One presentation of a liveness run, as the run file keeps it: the fixture, its class and half of the
//! set, the `os` and repeat, the decision, the score when the target disclosed it, and why an error is one.

use serde::{Deserialize, Serialize};

use super::cause::ErrorCause;
use crate::api::Os;
use crate::faces::{Class, FixtureSet};

/// How a target answered one presentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// 200: classified bona fide.
    Pass,
    /// `liveness_failed@<score>`: classified as an attack.
    ScoreReject,
    /// `liveness_failed@ERR_...`: not judged (a non-response in ISO/IEC 30107-3 terms).
    QualityReject,
    /// Any other answer, or none: also a non-response.
    Error,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sample {
    pub fixture: String,
    pub class: Class,
    /// The half of the face set the fixture belongs to (absent in files written before the split:
    /// such samples count as evaluation).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<FixtureSet>,
    pub os: Os,
    pub repeat: u32,
    pub decision: Decision,
    /// The score in [0, 1] when the target disclosed it.
    pub score: Option<f64>,
    /// A pass whose score the target did not disclose: known only to be above the threshold.
    pub censored: bool,
    /// The provider code of a quality failure, or a short description of an error.
    pub detail: Option<String>,
    /// Why an `Error` is one (absent in run files written before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cause: Option<ErrorCause>,
    pub latency_ms: f64,
}
