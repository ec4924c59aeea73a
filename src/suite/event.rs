//! `Event`: one check's result, as every reporter consumes it. Its text fields are `Redacted`: only
//! the redactor makes them, so nothing a target sent reaches a reporter as it was. It
//! lives with the suite that emits it; `report` reads it and nothing below `report` imports `report`.

use serde::{Deserialize, Serialize};

use super::behaviour::{BehaviourId, Family, Strictness};
use super::finding::Check;
use crate::target::untrusted::Redacted;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    /// An inferred behaviour that does not hold against a vendor target.
    Warn,
    /// A failure that the run's baseline accepts as a known deviation.
    Known,
    Skipped,
}

#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub behaviour: BehaviourId,
    pub family: Family,
    pub trial: String,
    pub check: Check,
    pub strictness: Strictness,
    pub verdict: Verdict,
    pub seed: u64,
    /// Why it failed, warned or was skipped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<Redacted>,
    /// The redacted request and response summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exchange: Option<Redacted>,
    /// A failure's requests as `curl` lines (see `suite::repro`); never holds a secret.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reproduce: Option<Redacted>,
}
