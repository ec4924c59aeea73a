//! Deliberate deviations from the contract, one flag each (`emulate --deviate NAME`). They exist so
//! the suite can be shown to fail on the behaviour each one breaks, and only there; they are never on
//! by default.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Deviation {
    /// `person_already_set` is sent with HTTP 400 instead of 409 (a wrong status).
    PersonAlreadySet400,
    /// The 200 body lacks `assignedCollection` (a missing field).
    OmitAssignedCollection,
    /// `collection_not_set` carries the message `collection_not_set`, without `409:` (a wrong message format).
    UnprefixedCollectionMessage,
    /// Expired registration tokens are accepted (an unchecked expiry).
    IgnoreTokenExpiry,
    /// `force: true` is ignored (the person is never replaced).
    IgnoreForce,
    /// `os` is accepted in any letter case (an accepted invalid `os`).
    AcceptLowercaseOs,
    /// A score equal to the minimum passes (a threshold off by one).
    InclusiveThreshold,
    /// Liveness failures are charged a credit (a charge on failure).
    ChargeOnFailure,
    /// A valid request with `os: ANDROID` answers 500 (a 5xx on one `os`).
    CrashOnAndroid,
    /// Whitespace and the URL-safe alphabet are accepted in the base64 payload.
    LenientBase64,
    /// Registrations in COMPLETED, FAILED and the other inactive statuses are accepted.
    AcceptInactiveStatus,
    /// The liveness engine's scores are 0.10 lower (a silent model change).
    LivenessShift,
    /// `MissingParameter` answers are sent with HTTP 400 instead of 409.
    MissingParameter400,
    /// `UNAUTHORIZED` answers are sent with HTTP 403 instead of 401.
    Unauthorized403,
    /// A client token on the central endpoint answers 401 UNAUTHORIZED instead of 403 token_not_right.
    ClientToken401,
    /// A validly signed token of a registration that does not exist answers 500 (a lookup without a null check).
    UnknownRegistration500,
    /// A score failure's message carries the flow's minimum instead of the failing score.
    LivenessMessageMinimum,
    /// The image bytes are sniffed and the data URI's media type ignored.
    SniffImageType,
    /// A JPEG without its End Of Image marker is decoded (grey-filled) instead of refused.
    AcceptTruncatedImage,
    /// No body limit: an 11 MiB body is read and judged instead of answered 413.
    NoBodyLimit,
    /// A body that is not JSON is read as `{}` (409 MissingParameter instead of 400).
    NotJsonAsEmpty,
    /// The central endpoint parses the body as JSON whatever its content type.
    IgnoreContentType,
    /// An empty credit balance is not checked: validations go on for free.
    FreeOnEmptyBalance,
    /// `MissingParameter` answers quote the request's bearer token.
    EchoTokenInError,
    /// The 200 body populates `person` with the submitted selfie's base64.
    ImageInSuccess,
    /// The credits list repeats its first record.
    DuplicateCreditRecord,
    /// Every 200 names the first biometric validation the emulator ever created.
    ReuseValidationId,
    /// The 200 body carries a field no schema names (`data.debug`).
    UndocumentedField,
    /// The credits list leaves out `pagination.total`.
    OmitCreditTotal,
    /// The 200 body populates `person` as a record (schema-open) that quotes the request's bearer token.
    EchoTokenInRecord,
    /// A 404 of the central endpoint carries the request's `Authorization` value in a response header.
    EchoTokenInHeader,
    /// Reading a registration back answers the request's `Authorization` value in `data.lastReadBy`.
    EchoTokenInReadBack,
    /// Creating a registration through the public API answers the client token in `data.requestedWith`.
    EchoTokenInSetUp,
}

impl Deviation {
    pub const ALL: [Deviation; 33] = [
        Deviation::PersonAlreadySet400,
        Deviation::OmitAssignedCollection,
        Deviation::UnprefixedCollectionMessage,
        Deviation::IgnoreTokenExpiry,
        Deviation::IgnoreForce,
        Deviation::AcceptLowercaseOs,
        Deviation::InclusiveThreshold,
        Deviation::ChargeOnFailure,
        Deviation::CrashOnAndroid,
        Deviation::LenientBase64,
        Deviation::AcceptInactiveStatus,
        Deviation::LivenessShift,
        Deviation::MissingParameter400,
        Deviation::Unauthorized403,
        Deviation::ClientToken401,
        Deviation::UnknownRegistration500,
        Deviation::LivenessMessageMinimum,
        Deviation::SniffImageType,
        Deviation::AcceptTruncatedImage,
        Deviation::NoBodyLimit,
        Deviation::NotJsonAsEmpty,
        Deviation::IgnoreContentType,
        Deviation::FreeOnEmptyBalance,
        Deviation::EchoTokenInError,
        Deviation::ImageInSuccess,
        Deviation::DuplicateCreditRecord,
        Deviation::ReuseValidationId,
        Deviation::UndocumentedField,
        Deviation::OmitCreditTotal,
        Deviation::EchoTokenInRecord,
        Deviation::EchoTokenInHeader,
        Deviation::EchoTokenInReadBack,
        Deviation::EchoTokenInSetUp,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Deviation::PersonAlreadySet400 => "person-already-set-400",
            Deviation::OmitAssignedCollection => "omit-assigned-collection",
            Deviation::UnprefixedCollectionMessage => "unprefixed-collection-message",
            Deviation::IgnoreTokenExpiry => "ignore-token-expiry",
            Deviation::IgnoreForce => "ignore-force",
            Deviation::AcceptLowercaseOs => "accept-lowercase-os",
            Deviation::InclusiveThreshold => "inclusive-threshold",
            Deviation::ChargeOnFailure => "charge-on-failure",
            Deviation::CrashOnAndroid => "crash-on-android",
            Deviation::LenientBase64 => "lenient-base64",
            Deviation::AcceptInactiveStatus => "accept-inactive-status",
            Deviation::LivenessShift => "liveness-shift",
            Deviation::MissingParameter400 => "missing-parameter-400",
            Deviation::Unauthorized403 => "unauthorized-403",
            Deviation::ClientToken401 => "client-token-401",
            Deviation::UnknownRegistration500 => "unknown-registration-500",
            Deviation::LivenessMessageMinimum => "liveness-message-minimum",
            Deviation::SniffImageType => "sniff-image-type",
            Deviation::AcceptTruncatedImage => "accept-truncated-image",
            Deviation::NoBodyLimit => "no-body-limit",
            Deviation::NotJsonAsEmpty => "not-json-as-empty",
            Deviation::IgnoreContentType => "ignore-content-type",
            Deviation::FreeOnEmptyBalance => "free-on-empty-balance",
            Deviation::EchoTokenInError => "echo-token-in-error",
            Deviation::ImageInSuccess => "image-in-success",
            Deviation::DuplicateCreditRecord => "duplicate-credit-record",
            Deviation::ReuseValidationId => "reuse-validation-id",
            Deviation::UndocumentedField => "undocumented-field",
            Deviation::OmitCreditTotal => "omit-credit-total",
            Deviation::EchoTokenInRecord => "echo-token-in-record",
            Deviation::EchoTokenInHeader => "echo-token-in-header",
            Deviation::EchoTokenInReadBack => "echo-token-in-read-back",
            Deviation::EchoTokenInSetUp => "echo-token-in-set-up",
        }
    }
}

impl fmt::Display for Deviation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Deviation {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Deviation::ALL.into_iter().find(|d| d.name() == s).ok_or_else(|| {
            let names: Vec<&str> = Deviation::ALL.iter().map(|d| d.name()).collect();
            format!("unknown deviation {s:?}; known: {}", names.join(", "))
        })
    }
}
