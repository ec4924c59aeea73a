//! Small closed vocabularies of the API: the device `os` and the App Registration status.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A value outside one of the API's closed vocabularies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of [{allowed}]")]
pub struct ParseEnumError {
    pub value: String,
    pub allowed: &'static str,
}

/// The `os` of the device that took the selfie; the endpoint documents exactly these three values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Os {
    Desktop,
    Ios,
    Android,
}

impl Os {
    pub const ALL: [Os; 3] = [Os::Desktop, Os::Ios, Os::Android];
    const ALLOWED: &'static str = "DESKTOP, IOS, ANDROID";

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Os::Desktop => "DESKTOP",
            Os::Ios => "IOS",
            Os::Android => "ANDROID",
        }
    }
}

impl fmt::Display for Os {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl clap::ValueEnum for Os {
    fn value_variants<'a>() -> &'a [Self] {
        &Os::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

impl FromStr for Os {
    type Err = ParseEnumError;

    /// Case-sensitive on purpose: the vendor documents upper-case values only.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Os::ALL
            .into_iter()
            .find(|os| os.as_str() == s)
            .ok_or_else(|| ParseEnumError { value: s.to_owned(), allowed: Os::ALLOWED })
    }
}

/// The status of an App Registration, as the object page enumerates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RegistrationStatus {
    Started,
    Ongoing,
    Completed,
    CompletedWithoutKyc,
    Failed,
    NeedsManualVerification,
    Expired,
}

impl RegistrationStatus {
    pub(crate) const ALL: [RegistrationStatus; 7] = [
        RegistrationStatus::Started,
        RegistrationStatus::Ongoing,
        RegistrationStatus::Completed,
        RegistrationStatus::CompletedWithoutKyc,
        RegistrationStatus::Failed,
        RegistrationStatus::NeedsManualVerification,
        RegistrationStatus::Expired,
    ];
    const ALLOWED: &'static str =
        "STARTED, ONGOING, COMPLETED, COMPLETED_WITHOUT_KYC, FAILED, NEEDS_MANUAL_VERIFICATION, EXPIRED";

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Started => "STARTED",
            RegistrationStatus::Ongoing => "ONGOING",
            RegistrationStatus::Completed => "COMPLETED",
            RegistrationStatus::CompletedWithoutKyc => "COMPLETED_WITHOUT_KYC",
            RegistrationStatus::Failed => "FAILED",
            RegistrationStatus::NeedsManualVerification => "NEEDS_MANUAL_VERIFICATION",
            RegistrationStatus::Expired => "EXPIRED",
        }
    }

    /// The endpoint page: "requires an active app registration session with status STARTED or ONGOING".
    pub(crate) fn is_active(self) -> bool {
        matches!(self, RegistrationStatus::Started | RegistrationStatus::Ongoing)
    }
}

impl fmt::Display for RegistrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for RegistrationStatus {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RegistrationStatus::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| ParseEnumError { value: s.to_owned(), allowed: RegistrationStatus::ALLOWED })
    }
}

/// What a credit record is: a purchase adds to the balance, a usage charge takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CreditCategory {
    Purchase,
    Usage,
}

impl CreditCategory {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            CreditCategory::Purchase => "purchase",
            CreditCategory::Usage => "usage",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<CreditCategory> {
        s.parse().ok()
    }
}

impl FromStr for CreditCategory {
    type Err = ParseEnumError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "purchase" => Ok(CreditCategory::Purchase),
            "usage" => Ok(CreditCategory::Usage),
            _ => Err(ParseEnumError { value: s.to_owned(), allowed: "purchase, usage" }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_round_trips_and_is_case_sensitive() {
        for os in Os::ALL {
            assert_eq!(os.as_str().parse::<Os>(), Ok(os));
            assert_eq!(serde_json::to_value(os).ok(), Some(serde_json::json!(os.as_str())));
        }
        assert!("ios".parse::<Os>().is_err());
        assert!("Android".parse::<Os>().is_err());
        assert!("WINDOWS".parse::<Os>().is_err());
    }

    #[test]
    fn only_started_and_ongoing_are_active() {
        let active: Vec<_> = RegistrationStatus::ALL.into_iter().filter(|s| s.is_active()).collect();
        assert_eq!(active, [RegistrationStatus::Started, RegistrationStatus::Ongoing]);
        for st in RegistrationStatus::ALL {
            assert_eq!(st.as_str().parse::<RegistrationStatus>(), Ok(st));
            assert_eq!(serde_json::to_value(st).ok(), Some(serde_json::json!(st.as_str())));
        }
    }
}
