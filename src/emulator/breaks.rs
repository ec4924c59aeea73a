//! Which behaviours each deliberate deviation breaks: the self-test's expectation, and the measure
//! of how much a behaviour catches when a plan must choose.

use super::Deviation;

/// Every behaviour that meets a 200 of the central endpoint.
pub const SUCCEEDING: &[&str] = &[
    "auth::AUTH-OTHER-REGISTRATION",
    "documented::BV-200-FORCE-OVERRIDES",
    "documented::BV-200-OS-EACH",
    "documented::BV-200-PERSON-LINKED",
    "documented::BV-200-STATUS-ONGOING",
    "documented::BV-409-LIVENESS-BOUNDARY",
    "input::INPUT-DATA-URI-VALID",
    "input::INPUT-EXTRA-FIELDS",
    "stateful::STATE-ONE-CREDIT-PER-SUCCESS",
    "stateful::STATE-QUALITY-NO-ATTEMPT",
    "stateful::STATE-RACE-ONE-200",
    "stateful::STATE-REENCODE-SAME-DECISION",
];

/// Every behaviour that meets a MissingParameter from body validation (an undecodable image is
/// refused later, in other code).
pub(crate) const MISSING_PARAMETER: &[&str] = &[
    "input::INPUT-DATA-URI-EMPTY",
    "input::INPUT-DATA-URI-MEDIA-TYPE",
    "input::INPUT-DATA-URI-NO-BASE64-MARKER",
    "input::INPUT-DATA-URI-PADDING",
    "input::INPUT-DATA-URI-SCHEME",
    "input::INPUT-DATA-URI-URL-SAFE",
    "input::INPUT-DATA-URI-WHITESPACE",
    "input::INPUT-DUPLICATE-FIELDS",
    "input::INPUT-FORCE-WRONG-TYPE",
    "input::INPUT-IMAGE-MISSING",
    "input::INPUT-IMAGE-WRONG-TYPE",
    "input::INPUT-NOT-OBJECT",
    "input::INPUT-OS-INVALID",
    "input::INPUT-OS-MISSING",
];

/// Every behaviour that meets a 404 of the central endpoint (with a credential long enough to count).
pub(crate) const NOT_FOUND: &[&str] = &[
    "documented::BV-404-STATUS-COMPLETED",
    "documented::BV-404-STATUS-COMPLETED-WITHOUT-KYC",
    "documented::BV-404-STATUS-EXPIRED",
    "documented::BV-404-STATUS-FAILED",
    "documented::BV-404-STATUS-NEEDS-MANUAL-VERIFICATION",
    "documented::BV-404-UNKNOWN-REGISTRATION",
    "stateful::STATE-ATTEMPTS-EXHAUST",
];

/// Every behaviour that reads a registration back with a client token (to see that nothing was created,
/// or that a person was linked).
pub(crate) const READ_BACK: &[&str] = &[
    "auth::AUTH-ALG-NONE",
    "auth::AUTH-CLIENT-TOKEN",
    "auth::AUTH-MALFORMED",
    "auth::AUTH-MISSING-HEADER",
    "auth::AUTH-OTHER-REGISTRATION",
    "auth::AUTH-TAMPERED-SIGNATURE",
    "auth::AUTH-WRONG-SCHEME",
    "documented::BV-200-PERSON-LINKED",
    "documented::BV-404-STATUS-COMPLETED",
    "documented::BV-404-STATUS-COMPLETED-WITHOUT-KYC",
    "documented::BV-404-STATUS-EXPIRED",
    "documented::BV-404-STATUS-FAILED",
    "documented::BV-404-STATUS-NEEDS-MANUAL-VERIFICATION",
    "input::INPUT-DATA-URI-EMPTY",
    "input::INPUT-DATA-URI-LABEL-MISMATCH",
    "input::INPUT-DATA-URI-MEDIA-TYPE",
    "input::INPUT-DATA-URI-NO-BASE64-MARKER",
    "input::INPUT-DATA-URI-NO-FACE",
    "input::INPUT-DATA-URI-OVERSIZED",
    "input::INPUT-DATA-URI-PADDING",
    "input::INPUT-DATA-URI-SCHEME",
    "input::INPUT-DATA-URI-TRUNCATED",
    "input::INPUT-DATA-URI-URL-SAFE",
    "input::INPUT-DATA-URI-WHITESPACE",
    "input::INPUT-DUPLICATE-FIELDS",
    "input::INPUT-FORCE-WRONG-TYPE",
    "input::INPUT-IMAGE-MISSING",
    "input::INPUT-IMAGE-WRONG-TYPE",
    "input::INPUT-NOT-JSON",
    "input::INPUT-OS-INVALID",
    "input::INPUT-OS-MISSING",
    "input::INPUT-WRONG-CONTENT-TYPE",
    "stateful::STATE-ATTEMPTS-EXHAUST",
    "stateful::STATE-FAILURE-CREATES-NOTHING",
    "stateful::STATE-PAYMENT-REQUIRED",
];

impl Deviation {
    /// The behaviours (trial names) this deviation breaks: the suite fails exactly these against an
    /// emulator that deviates so (`tests/it/deviations.rs` runs each), and a plan ranks a behaviour by how
    /// many deviations it catches.
    pub fn breaks(self) -> &'static [&'static str] {
        match self {
            Deviation::PersonAlreadySet400 => {
                &["documented::BV-409-PERSON-ALREADY-SET", "stateful::STATE-RACE-ONE-200"]
            }
            Deviation::OmitAssignedCollection => SUCCEEDING,
            Deviation::UnprefixedCollectionMessage => &["documented::BV-409-COLLECTION-NOT-SET"],
            Deviation::IgnoreTokenExpiry => &["auth::AUTH-EXPIRED-1D", "auth::AUTH-EXPIRED-1S"],
            Deviation::IgnoreForce => &[
                "documented::BV-200-FORCE-OVERRIDES",
                "input::INPUT-DATA-URI-VALID",
                "stateful::STATE-ONE-CREDIT-PER-SUCCESS",
            ],
            Deviation::AcceptLowercaseOs => &["input::INPUT-OS-INVALID"],
            Deviation::InclusiveThreshold => &["documented::BV-409-LIVENESS-BOUNDARY"],
            Deviation::ChargeOnFailure => &["stateful::STATE-FAILURE-CREATES-NOTHING"],
            // Every behaviour that sends a valid request with os ANDROID sees the 500.
            Deviation::CrashOnAndroid => &[
                "documented::BV-200-OS-EACH",
                "documented::BV-409-PERSON-ALREADY-SET",
                "input::INPUT-DATA-URI-NO-FACE",
                "input::INPUT-DATA-URI-VALID",
            ],
            Deviation::LenientBase64 => &["input::INPUT-DATA-URI-URL-SAFE", "input::INPUT-DATA-URI-WHITESPACE"],
            // A small shift of the engine's scores keeps every decision here; `compare` catches it.
            Deviation::LivenessShift => &[],
            Deviation::MissingParameter400 => MISSING_PARAMETER,
            Deviation::Unauthorized403 => &[
                "auth::AUTH-ALG-NONE",
                "auth::AUTH-MALFORMED",
                "auth::AUTH-MISSING-HEADER",
                "auth::AUTH-NOT-YET-VALID",
                "auth::AUTH-TAMPERED-SIGNATURE",
                "auth::AUTH-WRONG-SCHEME",
            ],
            Deviation::ClientToken401 => &["auth::AUTH-CLIENT-TOKEN"],
            Deviation::UnknownRegistration500 => &["documented::BV-404-UNKNOWN-REGISTRATION"],
            // The score in the message, and the snapshots of the two behaviours whose first answer is a
            // score failure.
            Deviation::LivenessMessageMinimum => &[
                "documented::BV-409-LIVENESS-FAILED",
                "stateful::STATE-ATTEMPTS-EXHAUST",
                "stateful::STATE-FAILURE-CREATES-NOTHING",
            ],
            Deviation::SniffImageType => &["input::INPUT-DATA-URI-LABEL-MISMATCH"],
            Deviation::AcceptTruncatedImage => &["input::INPUT-DATA-URI-TRUNCATED"],
            Deviation::NoBodyLimit => &["input::INPUT-DATA-URI-OVERSIZED"],
            Deviation::NotJsonAsEmpty => &["input::INPUT-NOT-JSON"],
            Deviation::IgnoreContentType => &["input::INPUT-WRONG-CONTENT-TYPE"],
            Deviation::FreeOnEmptyBalance => &["stateful::STATE-PAYMENT-REQUIRED"],
            // Every behaviour that meets a MissingParameter answer.
            Deviation::EchoTokenInError => MISSING_PARAMETER,
            // Every behaviour that meets a 200.
            Deviation::ImageInSuccess | Deviation::UndocumentedField | Deviation::EchoTokenInRecord => SUCCEEDING,
            Deviation::EchoTokenInHeader => NOT_FOUND,
            Deviation::EchoTokenInReadBack => READ_BACK,
            // Only a set-up through the public API meets it; the self-test runs on provider states, and
            // `tests/it/deviations.rs` runs it on a client token as well.
            Deviation::EchoTokenInSetUp => &[],
            // Only lists with records: a failure charges nothing, so its list is empty.
            Deviation::DuplicateCreditRecord => {
                &["stateful::STATE-ONE-CREDIT-PER-SUCCESS", "stateful::STATE-RACE-ONE-200"]
            }
            // Two successes of one behaviour share an id, or a usage record names a validation no
            // success reported (the race's single success).
            Deviation::ReuseValidationId => &[
                "documented::BV-200-OS-EACH",
                "input::INPUT-DATA-URI-VALID",
                "stateful::STATE-ONE-CREDIT-PER-SUCCESS",
                "stateful::STATE-RACE-ONE-200",
                "stateful::STATE-REENCODE-SAME-DECISION",
            ],
            Deviation::OmitCreditTotal => &[
                "stateful::STATE-FAILURE-CREATES-NOTHING",
                "stateful::STATE-ONE-CREDIT-PER-SUCCESS",
                "stateful::STATE-RACE-ONE-200",
            ],
            Deviation::AcceptInactiveStatus => &[
                "documented::BV-404-STATUS-COMPLETED",
                "documented::BV-404-STATUS-COMPLETED-WITHOUT-KYC",
                "documented::BV-404-STATUS-EXPIRED",
                "documented::BV-404-STATUS-FAILED",
                "documented::BV-404-STATUS-NEEDS-MANUAL-VERIFICATION",
                "stateful::STATE-ATTEMPTS-EXHAUST",
            ],
        }
    }
}
