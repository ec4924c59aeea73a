//! Why a presentation of a liveness run ended in an error rather than a decision: a sample's field, and
//! what `errors` summarises.

use serde::{Deserialize, Serialize};

/// Why a presentation ended in an error rather than a decision. Quality rejections are decisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCause {
    /// No answer: refused connection, reset, timeout, a body too slow, a target given up.
    Transport,
    /// A 5xx.
    ServerError,
    /// A 401 or 403: an expired or wrong credential.
    Unauthorized,
    /// A 429.
    RateLimited,
    /// The registration for the presentation could not be set up.
    SetUp,
    /// Any other answer that is not a decision.
    Other,
}

impl ErrorCause {
    pub(crate) fn of_status(status: reqwest::StatusCode) -> ErrorCause {
        match status.as_u16() {
            500..=599 => ErrorCause::ServerError,
            401 | 403 => ErrorCause::Unauthorized,
            429 => ErrorCause::RateLimited,
            _ => ErrorCause::Other,
        }
    }

    pub(crate) fn label(self) -> &'static str {
        match self {
            ErrorCause::Transport => "no answer (transport)",
            ErrorCause::ServerError => "5xx",
            ErrorCause::Unauthorized => "401/403",
            ErrorCause::RateLimited => "429",
            ErrorCause::SetUp => "set-up failed",
            ErrorCause::Other => "other answers",
        }
    }
}
