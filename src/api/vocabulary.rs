//! The string forms of the closed vocabularies, written once. Each enum names its strings with strum
//! (`serialize_all`, or `serialize` on a variant the vendor spells irregularly); [`closed!`] derives
//! the rest from them: `ALL`, `as_str`, `Display`, a `FromStr` whose error names every allowed value,
//! and serde in the same strings. Nothing else writes a variant's string.

/// A value outside one of the closed vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of [{allowed}]")]
pub struct ParseEnumError {
    pub value: String,
    pub allowed: String,
}

impl ParseEnumError {
    /// `value` is none of `allowed`, whose string forms the error lists.
    pub fn new<T: Copy + Into<&'static str>>(value: &str, allowed: &[T]) -> ParseEnumError {
        let names: Vec<&'static str> = allowed.iter().map(|v| (*v).into()).collect();
        ParseEnumError { value: value.to_owned(), allowed: names.join(", ") }
    }
}

/// Derives, for enums that derive `strum::IntoStaticStr` and `strum::VariantArray`, everything else
/// that reads or writes their strings. Parsing is exact (case-sensitive): the vendor documents one
/// spelling of each value, and a target that accepts another is a finding, not a convenience.
macro_rules! closed {
    ($($t:ty),+ $(,)?) => {$(
        impl $t {
            /// Every value, in declaration order.
            pub const ALL: &'static [$t] = <$t as strum::VariantArray>::VARIANTS;

            /// The one string form of this value.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $t {
            type Err = $crate::api::ParseEnumError;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                <$t>::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| $crate::api::ParseEnumError::new(s, <$t>::ALL))
            }
        }

        impl serde::Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $t {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <String as serde::Deserialize>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    )+};
}
pub(crate) use closed;

#[cfg(test)]
mod tests {
    use super::ParseEnumError;
    use crate::api::{CreditCategory, ErrorCode, FailureKind, ImageMediaType, Os, QualityCode, RegistrationStatus};

    /// Every value round-trips through `FromStr` and serde in the same string, and no two values of
    /// one vocabulary share a string.
    fn round_trips<T>(all: &[T])
    where
        T: Copy + PartialEq + std::fmt::Debug + std::fmt::Display + Into<&'static str>,
        T: std::str::FromStr<Err = ParseEnumError> + serde::Serialize + serde::de::DeserializeOwned,
    {
        let mut seen = std::collections::HashSet::new();
        for &v in all {
            let s: &'static str = v.into();
            assert!(seen.insert(s), "{s} is written twice");
            assert_eq!(v.to_string(), s);
            assert_eq!(s.parse::<T>(), Ok(v));
            assert_eq!(serde_json::to_value(v).ok(), Some(serde_json::json!(s)));
            assert_eq!(serde_json::from_value::<T>(serde_json::json!(s)).ok(), Some(v));
        }
    }

    #[test]
    fn the_api_vocabularies_round_trip() {
        round_trips(Os::ALL);
        round_trips(RegistrationStatus::ALL);
        round_trips(CreditCategory::ALL);
        round_trips(ErrorCode::ALL);
        round_trips(FailureKind::ALL);
        round_trips(QualityCode::ALL);
        round_trips(ImageMediaType::ALL);
    }

    /// The strings are the vendor's, irregular spellings included (the capital-A sync code, the
    /// `ERR_` provider codes): a derived case rule that drifted would change what is sent and judged.
    #[test]
    fn the_vendor_spellings_are_kept() {
        let codes: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            codes,
            [
                "person_already_set",
                "liveness_failed",
                "appRegistration_not_found",
                "collection_not_set",
                "MissingParameter",
                "UNAUTHORIZED",
                "FORBIDDEN",
                "PaymentRequired",
                "BadRequest",
                "PayloadTooLarge",
                "UnsupportedMediaType",
                "NotFound",
                "MethodNotAllowed",
                "Conflict",
                "AppRegistration_not_found",
                "step_not_supported",
            ]
        );
        let os: Vec<&str> = Os::ALL.iter().map(|o| o.as_str()).collect();
        assert_eq!(os, ["DESKTOP", "IOS", "ANDROID"]);
        let statuses: Vec<&str> = RegistrationStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            statuses,
            [
                "STARTED",
                "ONGOING",
                "COMPLETED",
                "COMPLETED_WITHOUT_KYC",
                "FAILED",
                "NEEDS_MANUAL_VERIFICATION",
                "EXPIRED"
            ]
        );
        let quality: Vec<&str> = QualityCode::ALL.iter().map(|q| q.as_str()).collect();
        assert_eq!(
            quality,
            [
                "ERR_NO_FACE_DETECTED",
                "ERR_MULTIPLE_FACES_DETECTED",
                "ERR_LIVENESS_FACE_TOO_SMALL",
                "ERR_LIVENESS_FACE_CLOSE_TO_BORDER"
            ]
        );
        assert_eq!(CreditCategory::Usage.as_str(), "usage");
        assert_eq!(FailureKind::Quality.as_str(), "quality");
        assert_eq!(ImageMediaType::Png.as_str(), "image/png");
    }

    #[test]
    fn parsing_is_exact_and_names_what_is_allowed() {
        let e = "ios".parse::<Os>().err();
        assert_eq!(e.map(|e| e.to_string()).as_deref(), Some("\"ios\" is not one of [DESKTOP, IOS, ANDROID]"));
        assert!(serde_json::from_value::<Os>(serde_json::json!("Ios")).is_err());
        assert!(" usage".parse::<CreditCategory>().is_err());
    }
}
