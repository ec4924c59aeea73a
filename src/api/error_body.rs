//! Error bodies: the documented `{"code", "message"}` family and the liveness extras the vendor's own
//! front end reads (`failureKind`, `failureReason`, `livenessScore`, `minimumScore`, `remainingAttempts`).

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

use super::Score;

/// Every error `code` the emulator emits. The first four are the vendor's documented codes for the
/// central endpoint; the rest come from the vendor's other pages or are our inferred answers. The
/// vendor follows no one case rule, so each spelling is written here, once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
pub enum ErrorCode {
    #[strum(serialize = "person_already_set")]
    PersonAlreadySet,
    #[strum(serialize = "liveness_failed")]
    LivenessFailed,
    #[strum(serialize = "appRegistration_not_found")]
    AppRegistrationNotFound,
    #[strum(serialize = "collection_not_set")]
    CollectionNotSet,
    MissingParameter,
    #[strum(serialize = "UNAUTHORIZED")]
    Unauthorized,
    #[strum(serialize = "FORBIDDEN")]
    Forbidden,
    PaymentRequired,
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    NotFound,
    MethodNotAllowed,
    Conflict,
    /// The capital-A spelling the vendor's sync page documents for its own 404.
    #[strum(serialize = "AppRegistration_not_found")]
    SyncAppRegistrationNotFound,
    #[strum(serialize = "step_not_supported")]
    StepNotSupported,
}

/// Why a liveness attempt failed, as the vendor's front end distinguishes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum FailureKind {
    /// The photo cannot be judged (no face, several, too small, at the border); no attempt is used.
    Quality,
    /// The photo was judged and scored at or below the minimum; an attempt is used.
    Score,
}

/// The provider codes that follow `@` in a quality failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
pub enum QualityCode {
    #[strum(serialize = "ERR_NO_FACE_DETECTED")]
    NoFaceDetected,
    #[strum(serialize = "ERR_MULTIPLE_FACES_DETECTED")]
    MultipleFacesDetected,
    #[strum(serialize = "ERR_LIVENESS_FACE_TOO_SMALL")]
    FaceTooSmall,
    #[strum(serialize = "ERR_LIVENESS_FACE_CLOSE_TO_BORDER")]
    FaceCloseToBorder,
}

super::closed!(ErrorCode, FailureKind, QualityCode);

impl QualityCode {
    /// The snake_case reason the vendor's front end maps each provider code to (a second vocabulary,
    /// keyed by the first, not another spelling of it).
    pub(crate) fn reason(self) -> &'static str {
        match self {
            QualityCode::NoFaceDetected => "no_face_detected",
            QualityCode::MultipleFacesDetected => "multiple_faces_detected",
            QualityCode::FaceTooSmall => "face_too_far",
            QualityCode::FaceCloseToBorder => "face_close_to_border",
        }
    }
}

/// An error body as it travels on the wire. `code` stays a string so that a target's unknown codes
/// can still be decoded and reported; [`ErrorBody::known_code`] gives the typed view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_kind: Option<FailureKind>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_reason: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub liveness_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_attempts: Option<u32>,
    /// The numeric status some vendor routes repeat in the body (App Registration create).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
}

impl ErrorBody {
    /// The vendor's `{"code":"x","message":"<status>:x[@detail]"}` shape.
    pub(crate) fn prefixed(status: u16, code: ErrorCode, detail: Option<&str>) -> ErrorBody {
        let message = match detail {
            Some(d) => format!("{status}:{code}@{d}"),
            None => format!("{status}:{code}"),
        };
        ErrorBody::plain(code, message)
    }

    /// A code with a free-text message, as `MissingParameter` and the auth errors use.
    pub(crate) fn plain(code: ErrorCode, message: impl Into<String>) -> ErrorBody {
        ErrorBody {
            code: code.as_str().to_owned(),
            message: message.into(),
            failure_kind: None,
            failure_reason: None,
            liveness_score: None,
            minimum_score: None,
            remaining_attempts: None,
            status: None,
        }
    }

    pub(crate) fn known_code(&self) -> Option<ErrorCode> {
        self.code.parse().ok()
    }

    /// Splits a `<status>:<code>[@detail]` message; `None` when the message is not in that form.
    pub(crate) fn split_message(&self) -> Option<PrefixedMessage<'_>> {
        PrefixedMessage::parse(&self.message)
    }

    /// The score after `@` in a score failure.
    pub(crate) fn failed_score(&self) -> Option<Score> {
        self.split_message()?.detail?.parse().ok()
    }
}

/// The parts of a `<status>:<code>[@detail]` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrefixedMessage<'a> {
    pub status: u16,
    pub code: &'a str,
    pub detail: Option<&'a str>,
}

impl<'a> PrefixedMessage<'a> {
    pub(crate) fn parse(message: &'a str) -> Option<PrefixedMessage<'a>> {
        let (status, rest) = message.split_once(':')?;
        if status.len() != 3 || !status.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let status = status.parse().ok()?;
        let (code, detail) = match rest.split_once('@') {
            Some((code, detail)) => (code, Some(detail)),
            None => (rest, None),
        };
        if code.is_empty() {
            return None;
        }
        Some(PrefixedMessage { status, code, detail })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn documented_bodies_serialise_byte_for_byte() {
        let cases = [
            (
                409,
                ErrorCode::PersonAlreadySet,
                None,
                r#"{"code":"person_already_set","message":"409:person_already_set"}"#,
            ),
            (
                409,
                ErrorCode::LivenessFailed,
                Some("0.45"),
                r#"{"code":"liveness_failed","message":"409:liveness_failed@0.45"}"#,
            ),
            (
                404,
                ErrorCode::AppRegistrationNotFound,
                None,
                r#"{"code":"appRegistration_not_found","message":"404:appRegistration_not_found"}"#,
            ),
            (
                409,
                ErrorCode::CollectionNotSet,
                None,
                r#"{"code":"collection_not_set","message":"409:collection_not_set"}"#,
            ),
        ];
        for (status, code, detail, expected) in cases {
            let body = ErrorBody::prefixed(status, code, detail);
            assert_eq!(serde_json::to_string(&body).ok().as_deref(), Some(expected));
        }
    }

    #[test]
    fn splits_messages() {
        let m = PrefixedMessage::parse("409:liveness_failed@0.45");
        assert_eq!(m, Some(PrefixedMessage { status: 409, code: "liveness_failed", detail: Some("0.45") }));
        assert_eq!(PrefixedMessage::parse("liveness_failed@0.45"), None);
        assert_eq!(PrefixedMessage::parse("40:x"), None);
        assert_eq!(PrefixedMessage::parse("404:"), None);
        let body: ErrorBody =
            serde_json::from_value(json!({"code":"liveness_failed","message":"409:liveness_failed@0.45"}))
                .expect("documented body decodes");
        assert_eq!(body.failed_score().map(Score::hundredths), Some(45));
        assert_eq!(body.known_code(), Some(ErrorCode::LivenessFailed));
    }
}
