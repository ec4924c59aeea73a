//! Oracles on the body of a liveness refusal (`409:liveness_failed@<score or quality code>`): its
//! message, the score in it against the flow's minimum, `failureKind` and `remainingAttempts`. Each
//! behaviour that provokes a refusal asks the ones it needs; the names are the checks' names in every
//! report and baseline.

use super::{Check, Finding};
use crate::api::{ErrorBody, FailureKind, QualityCode, Score};

/// The message is exactly `expected`; `check` names what that proves (e.g. `equal-fails`).
pub(crate) fn message_is(e: &ErrorBody, check: Check, expected: &str) -> Option<Finding> {
    (e.message != expected).then(|| Finding::new(check, format!("message is {:?}, expected {expected:?}", e.message)))
}

/// A quality refusal names its reason: `409:liveness_failed@<code>`.
pub(crate) fn quality_code_is(e: &ErrorBody, code: QualityCode) -> Option<Finding> {
    message_is(e, Check::ProviderCode, &format!("409:liveness_failed@{code}"))
}

pub(crate) fn failure_kind_is(e: &ErrorBody, kind: FailureKind) -> Option<Finding> {
    (e.failure_kind != Some(kind))
        .then(|| Finding::new(Check::FailureKind, format!("failureKind is {:?}, expected {kind:?}", e.failure_kind)))
}

pub(crate) fn remaining_attempts_is(e: &ErrorBody, remaining: u32) -> Option<Finding> {
    (e.remaining_attempts != Some(remaining)).then(|| {
        Finding::new(
            Check::RemainingAttempts,
            format!("remainingAttempts is {:?}, expected {remaining}", e.remaining_attempts),
        )
    })
}

/// The score after `@` parses as a score.
pub(crate) fn score_in_message(e: &ErrorBody) -> Option<Finding> {
    e.failed_score()
        .is_none()
        .then(|| Finding::new(Check::ScoreInMessage, format!("no score after @ in {:?}", e.message)))
}

/// The score after `@` fails the flow's minimum (the pass rule is `score > minimum`). Silent when the
/// message has no score: `score_in_message` says so.
pub(crate) fn score_at_or_below(e: &ErrorBody, minimum: Score) -> Option<Finding> {
    let score = e.failed_score()?;
    score.passes(minimum).then(|| {
        Finding::new(
            Check::ScoreBelowMinimum,
            format!("the message's score {score} is above the flow's minimum {minimum}"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ErrorCode;

    fn refusal(detail: &str) -> ErrorBody {
        ErrorBody::prefixed(409, ErrorCode::LivenessFailed, Some(detail))
    }

    fn score(hundredths: u8) -> Score {
        Score::from_hundredths(hundredths).expect("a score")
    }

    #[test]
    fn each_oracle_passes_its_answer_and_names_the_wrong_one() {
        let mut e = refusal("0.45");
        assert_eq!(message_is(&e, Check::Message, "409:liveness_failed@0.45"), None);
        assert_eq!(
            message_is(&e, Check::EqualFails, "409:liveness_failed@0.60").map(|f| f.check),
            Some(Check::EqualFails)
        );
        assert_eq!(score_in_message(&e), None);
        assert_eq!(score_at_or_below(&e, score(60)), None);
        assert_eq!(score_at_or_below(&e, score(45)), None, "equal to the minimum fails, as it must");
        let above = score_at_or_below(&e, score(44)).expect("0.45 passes a minimum of 0.44");
        assert_eq!(above.message.peek(), "the message's score 0.45 is above the flow's minimum 0.44");

        e.failure_kind = Some(FailureKind::Score);
        e.remaining_attempts = Some(2);
        assert_eq!(failure_kind_is(&e, FailureKind::Score), None);
        assert_eq!(failure_kind_is(&e, FailureKind::Quality).map(|f| f.check), Some(Check::FailureKind));
        assert_eq!(remaining_attempts_is(&e, 2), None);
        assert_eq!(
            remaining_attempts_is(&e, 3).map(|f| f.message.peek().to_owned()),
            Some("remainingAttempts is Some(2), expected 3".to_owned())
        );
        e.remaining_attempts = None;
        assert!(remaining_attempts_is(&e, 0).is_some(), "an absent count is not zero");

        let quality = refusal("ERR_NO_FACE_DETECTED");
        assert_eq!(quality_code_is(&quality, QualityCode::NoFaceDetected), None);
        assert_eq!(
            quality_code_is(&quality, QualityCode::MultipleFacesDetected).map(|f| f.check),
            Some(Check::ProviderCode)
        );
        assert_eq!(score_in_message(&quality).map(|f| f.check), Some(Check::ScoreInMessage));
        assert_eq!(score_at_or_below(&quality, score(60)), None, "no score: score_in_message's finding");
    }
}
