//! The vocabulary of the catalogue: behaviour ids, how strict each is, the families trials are named
//! by, what a behaviour needs from the target and costs. Data only: what a behaviour runs lives with
//! the catalogue (`catalogue::Behaviour`), so that everything below the catalogue reads a behaviour's
//! description without depending on the code that runs it.

use std::fmt;

use serde::Serialize;

pub use super::finding::Strictness;
use crate::target::Capability;

/// A stable behaviour id such as `BV-409-PERSON-ALREADY-SET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct BehaviourId(pub &'static str);

impl fmt::Display for BehaviourId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// The family a behaviour belongs to; it is the first part of the trial name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Family {
    Documented,
    Auth,
    Input,
    Stateful,
}

crate::api::closed!(Family);

/// How a behaviour exercises the target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// Fixed requests.
    Example,
    /// Generated cases (proptest), seeded and shrunk.
    Property,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cost {
    pub requests: u32,
    pub charging: u32,
}

/// What a behaviour is, apart from what it runs: what the probe, the context, the reports and the plan
/// read of it.
#[derive(Debug, Clone, Copy)]
pub struct Meta {
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
}

impl Meta {
    /// `family::ID`, the stable trial name.
    pub fn trial_name(&self) -> String {
        format!("{}::{}", self.family.as_str(), self.id)
    }
}
