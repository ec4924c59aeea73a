//! Why presentations of a liveness run ended in errors rather than decisions, and whether a run
//! judged enough to be trusted as a measurement (a dead vendor or an expired token is an outage, not
//! an empty report).

use std::collections::BTreeMap;

use serde::Serialize;

use super::cause::ErrorCause;
use super::record::{Decision, Sample};

/// How many presentations a run judged, and why the others ended in an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ErrorSummary {
    pub presentations: usize,
    pub judged: usize,
    pub errors: usize,
    pub by_cause: BTreeMap<ErrorCause, usize>,
    /// The most frequent cause, with the first detail recorded for it.
    pub dominant: Option<(ErrorCause, String)>,
}

impl ErrorSummary {
    pub fn of(samples: &[Sample]) -> ErrorSummary {
        let mut by_cause: BTreeMap<ErrorCause, usize> = BTreeMap::new();
        for s in samples.iter().filter(|s| s.decision == Decision::Error) {
            *by_cause.entry(s.cause.unwrap_or(ErrorCause::Other)).or_default() += 1;
        }
        let dominant = by_cause.iter().max_by_key(|(_, n)| **n).map(|(cause, _)| {
            let detail = samples
                .iter()
                .find(|s| s.decision == Decision::Error && s.cause.unwrap_or(ErrorCause::Other) == *cause)
                .and_then(|s| s.detail.clone())
                .unwrap_or_default();
            (*cause, detail)
        });
        ErrorSummary {
            presentations: samples.len(),
            judged: samples.iter().filter(|s| matches!(s.decision, Decision::Pass | Decision::ScoreReject)).count(),
            errors: by_cause.values().sum(),
            by_cause,
            dominant,
        }
    }

    /// The share of presentations that ended in an error.
    pub fn share(&self) -> f64 {
        if self.presentations == 0 { 0.0 } else { self.errors as f64 / self.presentations as f64 }
    }

    /// Why a run cannot be trusted as a measurement: nothing judged, or too many errors.
    pub fn problem(&self, max_share: f64) -> Option<String> {
        let cause = self.dominant.as_ref().map_or(String::new(), |(c, d)| format!("; mostly {}: {d}", c.label()));
        if self.judged == 0 {
            return Some(format!("no presentation of {} was judged{cause}", self.presentations));
        }
        (self.share() > max_share).then(|| {
            format!(
                "{} of {} presentations ({:.1} %) ended in an error, above --max-error-share {max_share}{cause}",
                self.errors,
                self.presentations,
                100.0 * self.share()
            )
        })
    }
}
