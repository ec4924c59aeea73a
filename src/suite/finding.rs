//! A finding, as data: which check broke (a type whose serialised name is the check's stable string),
//! how strict that expectation is, what was wrong (held as target text, since a message may quote an
//! answer), and the evidence (status, error code, the exchange it came from). Every sink reads these
//! fields; none parses a rendered message back. A leaf of the suite: it imports nothing else from it.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::target::Exchange;
use crate::target::untrusted::{Redacted, Untrusted};

/// How binding a behaviour (or one check) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Strictness {
    /// The vendor's page says so: a deviation fails on every target.
    Documented,
    /// Our reading where the vendor is silent: fails on the emulator profile, warns against the vendor.
    Inferred,
    /// A change from what this target answered in an earlier run (`--observed`): warns on every
    /// target, fails under `--strict`.
    Observed,
}

impl fmt::Display for Strictness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Strictness::Documented => "documented",
            Strictness::Inferred => "inferred",
            Strictness::Observed => "observed",
        })
    }
}

macro_rules! checks {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// A check, by the stable name reports, baselines and `caught_only_by` lists use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Check {
            $($(#[$doc])* $variant,)*
        }

        impl Check {
            pub const ALL: &[Check] = &[$(Check::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Check::$variant => $name,)*
                }
            }
        }
    };
}

checks! {
    // Generic oracles, applied to every answer of the central endpoint.
    Never5xx = "never-5xx",
    JsonContentType = "json-content-type",
    JsonBody = "json-body",
    Schema = "schema",
    CodeAgreesWithMessage = "code-agrees-with-message",
    UndocumentedField = "undocumented-field",
    /// Applied to every answer the suite reads.
    Privacy = "privacy",
    Snapshot = "snapshot",
    // What a behaviour expects of one answer.
    Status = "status",
    Body = "body",
    Refused = "refused",
    ErrorCode = "error-code",
    MissingParameter = "missing-parameter",
    NamesTheField = "names-the-field",
    Readable = "readable",
    ScoreInMessage = "score-in-message",
    /// The exact message of a liveness failure.
    Message = "message",
    EqualFails = "equal-fails",
    ProviderCode = "provider-code",
    ScoreBelowMinimum = "score-below-minimum",
    RemainingAttempts = "remaining-attempts",
    FailureKind = "failure-kind",
    // What a behaviour expects of the account and the registration around it.
    AbovePasses = "above-passes",
    ActsOnItsOwn = "acts-on-its-own",
    ChargeNamesItsValidation = "charge-names-its-validation",
    Credits = "credits",
    DistinctIds = "distinct-ids",
    ExactlyOne200 = "exactly-one-200",
    FailedStatus = "failed-status",
    ListFilter = "list-filter",
    ListIdsUnique = "list-ids-unique",
    ListTotalAgrees = "list-total-agrees",
    NewPerson = "new-person",
    NewValidation = "new-validation",
    NothingCreated = "nothing-created",
    OneCreditPerSuccess = "one-credit-per-success",
    PersonSet = "person-set",
    PersonVisible = "person-visible",
    ReadBack = "read-back",
    SameDecision = "same-decision",
    SameRegistration = "same-registration",
    StatusUnchanged = "status-unchanged",
    // The run around the checks.
    /// A change from what this target answered before (`--observed`).
    ObservedChange = "observed-change",
    /// The behaviour could not be run to its end (transport, set-up, time limit).
    Run = "run",
    /// The target could not be prepared or reached at all.
    Target = "target",
    /// A behaviour that ran no check at all.
    RanChecks = "ran-checks",
    /// A property that proptest aborted (it never reached a verdict on a case).
    Property = "property",
    // Events that are not findings: a check that held, a generated case, a skipped check.
    Passed = "check",
    Case = "case",
    ShrinkCase = "shrink-case",
    Skipped = "skipped",
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Check {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl std::str::FromStr for Check {
    type Err = String;

    fn from_str(s: &str) -> Result<Check, String> {
        Check::ALL.iter().copied().find(|c| c.as_str() == s).ok_or_else(|| format!("no check is named {s:?}"))
    }
}

/// What a failure looked like on the wire: the status and the error code of the answer it was found
/// in, when there was one. A baseline entry matches on it, so that a different failure of the same
/// check is new.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, Default)]
pub struct Signature {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

/// The answer a finding was made on.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub status: u16,
    /// The error code the body names, as the target spelt it.
    pub code: Option<Untrusted>,
    /// `METHOD /path -> status body`, shortened.
    pub summary: Untrusted,
    /// The exchange's number in the run, by which its requests are found in the journal.
    pub seq: u64,
}

impl Evidence {
    pub fn of(x: &Exchange) -> Evidence {
        Evidence {
            status: x.status.as_u16(),
            code: x.error().ok().map(|e| Untrusted::from(e.code)),
            summary: x.summary(),
            seq: x.seq,
        }
    }
}

/// What one check found wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub check: Check,
    pub strictness: Strictness,
    pub message: Untrusted,
    pub evidence: Option<Evidence>,
}

impl Finding {
    /// A documented finding with no evidence yet; `inferred`, `with` and `at` say more.
    pub fn new(check: Check, message: impl Into<String>) -> Finding {
        Finding { check, strictness: Strictness::Documented, message: Untrusted::from(message.into()), evidence: None }
    }

    pub fn with(self, strictness: Strictness) -> Finding {
        Finding { strictness, ..self }
    }

    /// The answer it was found in.
    pub fn at(self, x: &Exchange) -> Finding {
        Finding { evidence: Some(Evidence::of(x)), ..self }
    }

    /// The status and code it was found with. The code is the target's text: it is compared with
    /// baseline entries, and a baseline file is written through the artefact writer.
    pub fn signature(&self) -> Signature {
        match &self.evidence {
            Some(e) => Signature { status: Some(e.status), code: e.code.as_ref().map(|c| c.peek().to_owned()) },
            None => Signature::default(),
        }
    }

    /// `check: message in METHOD /path -> ...`, through the redactor.
    pub fn line(&self) -> Redacted {
        let mut line = Untrusted::from(format!("{}: ", self.check)).join(&self.message);
        if let Some(e) = &self.evidence {
            line = line.join(&Untrusted::from(" in ".to_owned())).join(&e.summary);
        }
        line.redacted()
    }
}

/// What a failed check found, as a report shows it: the finding's fields, redacted. Never holds a
/// token or image bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The check that failed, e.g. `status`, `schema`, `code-agrees-with-message`; for a property, the
    /// check its shrunk case failed.
    pub check: Check,
    pub strictness: Strictness,
    pub message: Redacted,
    /// The redacted exchange it was found in, if any.
    pub exchange: Option<Redacted>,
    /// The status and error code of that exchange.
    pub signature: Signature,
    /// A property's shrunk input and how to replay it.
    pub shrunk: Option<Redacted>,
    /// How to make it happen again by hand (see `repro`), when the requests are known.
    pub reproduce: Option<Redacted>,
}

impl Violation {
    pub(crate) fn of(finding: &Finding, shrunk: Option<Redacted>, reproduce: Option<Redacted>) -> Violation {
        Violation {
            check: finding.check,
            strictness: finding.strictness,
            message: finding.message.redacted(),
            exchange: finding.evidence.as_ref().map(|e| e.summary.redacted()),
            signature: finding.signature(),
            shrunk,
            reproduce,
        }
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.strictness, self.check, self.message)?;
        if let Some(x) = &self.exchange {
            write!(f, "\n      in {x}")?;
        }
        if let Some(s) = &self.shrunk {
            write!(f, "\n      {s}")?;
        }
        if let Some(r) = &self.reproduce {
            write!(f, "\n      {}", r.trim_end().replace('\n', "\n      "))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_round_trip_and_are_unique() {
        let mut names = std::collections::BTreeSet::new();
        for c in Check::ALL {
            assert!(names.insert(c.as_str()), "{c} twice");
            assert_eq!(c.as_str().parse::<Check>(), Ok(*c));
            assert_eq!(serde_json::to_value(c).ok(), Some(serde_json::Value::from(c.as_str())));
        }
        assert!("no-such-check".parse::<Check>().is_err());
    }
}
