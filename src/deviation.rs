//! The names of the deliberate deviations from the contract, one flag each (`emulate --deviate NAME`).
//! They exist so the suite can be shown to fail on the behaviours each one breaks, and only there; they
//! are never on by default. A vocabulary shared below both sides: the emulator performs them (its
//! policy), the catalogue rows declare which deviations break them (`Behaviour::broken_by`).

/// Each deviation by its flag name: kebab-case of the variant, a status code joined by a hyphen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum Deviation {
    /// `person_already_set` is sent with HTTP 400 instead of 409 (a wrong status).
    #[strum(serialize = "person-already-set-400")]
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
    #[strum(serialize = "lenient-base64")]
    LenientBase64,
    /// Registrations in COMPLETED, FAILED and the other inactive statuses are accepted.
    AcceptInactiveStatus,
    /// The liveness engine's scores are 0.10 lower (a silent model change).
    LivenessShift,
    /// `MissingParameter` answers are sent with HTTP 400 instead of 409.
    #[strum(serialize = "missing-parameter-400")]
    MissingParameter400,
    /// `UNAUTHORIZED` answers are sent with HTTP 403 instead of 401.
    #[strum(serialize = "unauthorized-403")]
    Unauthorized403,
    /// A client token on the central endpoint answers 401 UNAUTHORIZED instead of 403 token_not_right.
    #[strum(serialize = "client-token-401")]
    ClientToken401,
    /// A validly signed token of a registration that does not exist answers 500 (a lookup without a null check).
    #[strum(serialize = "unknown-registration-500")]
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

crate::api::closed!(Deviation);

impl Deviation {
    /// Why `diff`, which compares normalised answers (status, media type, code, message with numbers
    /// and ids masked, body shape) of the behaviours' own requests, cannot see this deviation; `None`
    /// when it can, and then it changes exactly the behaviours that declare it (`broken_by`,
    /// `changed_by`). An unseen deviation still shows where a property it breaks stops at its failing
    /// case (a sequence divergence). The deviation self-test holds all of it to what `diff` finds.
    pub fn unseen_by_diff(self) -> Option<&'static str> {
        Some(match self {
            Deviation::LivenessShift => {
                "every score moves by 0.10 and no decision the suite asks for crosses the minimum: `liveness compare` measures scores"
            }
            Deviation::LivenessMessageMinimum => "it changes a number inside a message, and numbers are masked",
            Deviation::DuplicateCreditRecord => "it repeats a record, and a list's shape is that of its first record",
            Deviation::ReuseValidationId => "it changes an id's value, and ids are compared by type only",
            Deviation::EchoTokenInHeader => "it adds a response header, and answers are compared by their bodies",
            Deviation::EchoTokenInSetUp => {
                "it changes a set-up answer, and only the behaviours' own requests are compared"
            }
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::Deviation;

    /// The flag names are a command-line contract (scripts pass them): the derived forms must not drift.
    #[test]
    fn flag_names_are_stable() {
        let names: Vec<&str> = Deviation::ALL.iter().map(|d| d.as_str()).collect();
        assert_eq!(
            names,
            [
                "person-already-set-400",
                "omit-assigned-collection",
                "unprefixed-collection-message",
                "ignore-token-expiry",
                "ignore-force",
                "accept-lowercase-os",
                "inclusive-threshold",
                "charge-on-failure",
                "crash-on-android",
                "lenient-base64",
                "accept-inactive-status",
                "liveness-shift",
                "missing-parameter-400",
                "unauthorized-403",
                "client-token-401",
                "unknown-registration-500",
                "liveness-message-minimum",
                "sniff-image-type",
                "accept-truncated-image",
                "no-body-limit",
                "not-json-as-empty",
                "ignore-content-type",
                "free-on-empty-balance",
                "echo-token-in-error",
                "image-in-success",
                "duplicate-credit-record",
                "reuse-validation-id",
                "undocumented-field",
                "omit-credit-total",
                "echo-token-in-record",
                "echo-token-in-header",
                "echo-token-in-read-back",
                "echo-token-in-set-up",
            ]
        );
    }
}
