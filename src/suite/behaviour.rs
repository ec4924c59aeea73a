//! The vocabulary of the catalogue: behaviour ids, how strict each is, the families trials are named
//! by, what a behaviour needs from the target, and the structured violations its checks produce.

use std::fmt;

use serde::Serialize;

use super::probe::{Probe, Stop};
use crate::target::Capability;

/// A stable behaviour id such as `BV-409-PERSON-ALREADY-SET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BehaviourId(pub &'static str);

impl fmt::Display for BehaviourId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

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
    pub fn as_str(self) -> &'static str {
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
    pub run: fn(&mut Probe<'_>) -> Result<(), Stop>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub requests: u32,
    pub charging: u32,
}

impl Behaviour {
    /// `family::ID`, the stable trial name.
    pub fn trial_name(&self) -> String {
        format!("{}::{}", self.family.as_str(), self.id)
    }
}

/// What a failed check found, with its evidence. Never holds a token or image bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Violation {
    /// The check that failed, e.g. `status`, `schema`, `code-agrees-with-message`.
    pub check: String,
    pub strictness: Strictness,
    pub message: String,
    /// The redacted exchange it was found in, if any.
    pub exchange: Option<String>,
    /// How to make it happen again by hand (see `repro`), when the requests are known.
    pub reproduce: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}: {}", self.strictness, self.check, self.message)?;
        if let Some(x) = &self.exchange {
            write!(f, "\n      in {x}")?;
        }
        if let Some(r) = &self.reproduce {
            write!(f, "\n      {}", r.trim_end().replace('\n', "\n      "))?;
        }
        Ok(())
    }
}
