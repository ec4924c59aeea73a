//! The contract of the app-registration biometric flow as Rust types.
//!
//! Both sides use these: the emulator to answer, the suite to judge answers. Nothing here does I/O.

mod data_uri;
mod error_body;
mod ids;
pub(crate) mod provider_state;
mod read;
mod score;
mod types;
mod vocabulary;

pub(crate) use data_uri::sha256_hex;
pub use data_uri::{DataUri, DataUriError, ImageMediaType, short_digest};
pub use error_body::{ErrorBody, ErrorCode, FailureKind, PrefixedMessage, QualityCode};
pub use ids::ObjectId;
pub use read::{CreditPage, CreditRecord, Missing, Problem, Reader, RegistrationView, type_name};
pub use score::{Score, ScoreError};
pub use types::{CreditCategory, Os, RegistrationStatus};
pub use vocabulary::ParseEnumError;
pub(crate) use vocabulary::closed;

/// The endpoint under test.
pub const CENTRAL_PATH: &str = "/v2/biometric-validations/app-registration";

/// The fields of the central endpoint's 200 body that hold ObjectIds.
pub const ID_FIELDS: [&str; 8] = [
    "_id",
    "client",
    "project",
    "projectFlow",
    "biometricValidation",
    "person",
    "informationValidation",
    "assignedCollection",
];

/// Now, as the vendor writes time stamps: RFC 3339 in UTC with milliseconds (`2026-11-30T01:02:03.456Z`).
pub fn now_iso() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
