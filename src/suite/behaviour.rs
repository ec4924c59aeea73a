//! The vocabulary of the catalogue: behaviour ids, how strict each is, the families trials are named
//! by, what a behaviour needs from the target, and the structured violations its checks produce.

use std::fmt;

use serde::Serialize;

pub use super::finding::Strictness;
use super::finding::{Check, Finding, Signature};
use super::probe::{Probe, Stop};
use crate::target::Capability;
use crate::target::redactor::Redacted;

/// A stable behaviour id such as `BV-409-PERSON-ALREADY-SET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BehaviourId(pub &'static str);

impl fmt::Display for BehaviourId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The family a behaviour belongs to; it is the first part of the trial name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    Documented,
    Auth,
    Input,
    Stateful,
}

impl Family {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Family::Documented => "documented",
            Family::Auth => "auth",
            Family::Input => "input",
            Family::Stateful => "stateful",
        }
    }
}

/// How a behaviour exercises the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Fixed requests.
    Example,
    /// Generated cases (proptest), seeded and shrunk.
    Property,
}

/// One entry of the catalogue.
pub struct Behaviour {
    pub id: BehaviourId,
    pub family: Family,
    pub strictness: Strictness,
    pub kind: Kind,
    /// One line: what must hold.
    pub statement: &'static str,
    /// Where the expectation comes from: the vendor's sentence, or the decision it rests on.
    pub source: &'static str,
    pub needs: &'static [Capability],
    /// Requests and credit-charging requests one run makes, for `--dry-run` (per case for properties).
    pub cost: Cost,
    pub run: Run,
}

/// What a behaviour does when it runs. A closure, so that the rows of a family (the data-URI defects,
/// the inactive statuses, the expiry offsets) share one function and differ only in their row.
pub(crate) type Run = Box<dyn Fn(&mut Probe<'_>) -> Result<(), Stop> + Send + Sync>;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub requests: u32,
    pub charging: u32,
}

impl Behaviour {
    /// The catalogue's one builder: an inferred example that needs nothing of the target and sends one
    /// request, until the chained setters below say otherwise.
    pub(crate) fn new(
        family: Family,
        id: &'static str,
        statement: &'static str,
        source: &'static str,
        run: impl Fn(&mut Probe<'_>) -> Result<(), Stop> + Send + Sync + 'static,
    ) -> Behaviour {
        Behaviour {
            id: BehaviourId(id),
            family,
            strictness: Strictness::Inferred,
            kind: Kind::Example,
            statement,
            source,
            needs: &[],
            cost: Cost { requests: 1, charging: 0 },
            run: Box::new(run),
        }
    }

    /// The vendor's page says so (see `Strictness::Documented`).
    pub(crate) fn documented(self) -> Behaviour {
        Behaviour { strictness: Strictness::Documented, ..self }
    }

    /// Generated cases: `cost` is then per case.
    pub(crate) fn property(self) -> Behaviour {
        Behaviour { kind: Kind::Property, ..self }
    }

    pub(crate) fn needs(self, needs: &'static [Capability]) -> Behaviour {
        Behaviour { needs, ..self }
    }

    /// Requests, and requests that may charge a credit, that one run (or one case) sends.
    pub(crate) fn cost(self, requests: u32, charging: u32) -> Behaviour {
        Behaviour { cost: Cost { requests, charging }, ..self }
    }

    /// `family::ID`, the stable trial name.
    pub fn trial_name(&self) -> String {
        format!("{}::{}", self.family.as_str(), self.id)
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
