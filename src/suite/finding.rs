//! A finding, as data: which check broke (a type whose serialised name is the check's stable string),
//! how strict that expectation is, what was wrong (held as target text, since a message may quote an
//! answer), and the evidence (status, error code, the exchange it came from). Every sink reads these
//! fields; none parses a rendered message back. A leaf of the suite: it imports nothing else from it.

use std::fmt;

use serde::{Deserialize, Serialize};
use strum::{IntoStaticStr, VariantArray};

use crate::target::Exchange;
use crate::target::untrusted::{Redacted, Untrusted};

/// How binding a behaviour (or one check) is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Strictness {
    /// The vendor's page says so: a deviation fails on every target.
    Documented,
    /// Our reading where the vendor is silent: fails on the emulator profile, warns against the vendor.
    Inferred,
    /// A change from what this target answered in an earlier run (`--observed`), or from a gating
    /// expectation of a behaviour that is not documented: warns on every target, fails under `--strict`.
    Observed,
    /// A change from a candidate expectation, not yet confirmed often enough to gate: it only warns.
    Candidate,
}

/// A check, by the stable name reports, baselines and `caught_only_by` lists use: kebab-case of the
/// variant, unless written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, IntoStaticStr, VariantArray)]
#[strum(serialize_all = "kebab-case")]
pub enum Check {
    // Generic oracles, applied to every answer of the central endpoint.
    #[strum(serialize = "never-5xx")]
    Never5xx,
    JsonContentType,
    JsonBody,
    Schema,
    CodeAgreesWithMessage,
    UndocumentedField,
    /// Applied to every answer the suite reads.
    Privacy,
    Snapshot,
    // What a behaviour expects of one answer.
    Status,
    Body,
    Refused,
    ErrorCode,
    MissingParameter,
    NamesTheField,
    Readable,
    ScoreInMessage,
    /// The exact message of a liveness failure.
    Message,
    EqualFails,
    ProviderCode,
    ScoreBelowMinimum,
    RemainingAttempts,
    FailureKind,
    // What a behaviour expects of the account and the registration around it.
    AbovePasses,
    ActsOnItsOwn,
    ChargeNamesItsValidation,
    Credits,
    DistinctIds,
    #[strum(serialize = "exactly-one-200")]
    ExactlyOne200,
    FailedStatus,
    ListFilter,
    ListIdsUnique,
    ListTotalAgrees,
    NewPerson,
    NewValidation,
    NothingCreated,
    OneCreditPerSuccess,
    PersonSet,
    PersonVisible,
    ReadBack,
    SameDecision,
    SameRegistration,
    StatusUnchanged,
    // The run around the checks.
    /// A change from what this target answered before (`--observed`).
    ObservedChange,
    /// An answer set unlike every form its expectation holds (`--expectations`).
    ExpectationChange,
    /// The behaviour could not be run to its end (transport, set-up, time limit).
    Run,
    /// The target could not be prepared or reached at all.
    Target,
    /// A behaviour that ran no check at all.
    RanChecks,
    /// A property that proptest aborted (it never reached a verdict on a case).
    Property,
    // Events that are not findings: a check that held, a generated case, a skipped check.
    #[strum(serialize = "check")]
    Passed,
    Case,
    ShrinkCase,
    Skipped,
}

crate::api::closed!(Strictness, Check);

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

    /// The names are a contract (baselines and `caught_only_by` lists hold them): derived, they must
    /// not drift.
    #[test]
    fn check_names_are_stable() {
        let names: Vec<&str> = Check::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "never-5xx",
                "json-content-type",
                "json-body",
                "schema",
                "code-agrees-with-message",
                "undocumented-field",
                "privacy",
                "snapshot",
                "status",
                "body",
                "refused",
                "error-code",
                "missing-parameter",
                "names-the-field",
                "readable",
                "score-in-message",
                "message",
                "equal-fails",
                "provider-code",
                "score-below-minimum",
                "remaining-attempts",
                "failure-kind",
                "above-passes",
                "acts-on-its-own",
                "charge-names-its-validation",
                "credits",
                "distinct-ids",
                "exactly-one-200",
                "failed-status",
                "list-filter",
                "list-ids-unique",
                "list-total-agrees",
                "new-person",
                "new-validation",
                "nothing-created",
                "one-credit-per-success",
                "person-set",
                "person-visible",
                "read-back",
                "same-decision",
                "same-registration",
                "status-unchanged",
                "observed-change",
                "expectation-change",
                "run",
                "target",
                "ran-checks",
                "property",
                "check",
                "case",
                "shrink-case",
                "skipped",
            ]
        );
    }
}
