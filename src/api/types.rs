//! Small closed vocabularies of the API: the device `os`, the App Registration status and the credit
//! record category. Their strings are named once, on the enums (see `vocabulary`).

use strum::{IntoStaticStr, VariantArray};

/// The `os` of the device that took the selfie; the endpoint documents exactly these three values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "UPPERCASE")]
pub enum Os {
    Desktop,
    Ios,
    Android,
}

impl clap::ValueEnum for Os {
    fn value_variants<'a>() -> &'a [Self] {
        Os::ALL
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        Some(clap::builder::PossibleValue::new(self.as_str()))
    }
}

/// The status of an App Registration, as the object page enumerates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
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
    /// The endpoint page: "requires an active app registration session with status STARTED or ONGOING".
    pub(crate) fn is_active(self) -> bool {
        matches!(self, RegistrationStatus::Started | RegistrationStatus::Ongoing)
    }
}

/// What a credit record is: a purchase adds to the balance, a usage charge takes from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum CreditCategory {
    Purchase,
    Usage,
}

super::vocabulary::closed!(Os, RegistrationStatus, CreditCategory);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn os_is_case_sensitive() {
        assert!("ios".parse::<Os>().is_err());
        assert!("Android".parse::<Os>().is_err());
        assert!("WINDOWS".parse::<Os>().is_err());
    }

    #[test]
    fn only_started_and_ongoing_are_active() {
        let active: Vec<_> = RegistrationStatus::ALL.iter().filter(|s| s.is_active()).collect();
        assert_eq!(active, [&RegistrationStatus::Started, &RegistrationStatus::Ongoing]);
    }
}
