//! A catalogue entry: a behaviour's description (`Meta`, in the suite's vocabulary) and the code that
//! runs it over a probe. Only the catalogue and the runner hold the code; everything else reads `Meta`.

use crate::deviation::Deviation;
use crate::suite::behaviour::{BehaviourId, Cost, Family, Kind, Meta, Strictness};
use crate::suite::probe::{Probe, Stop};
use crate::target::Capability;

/// One entry of the catalogue.
pub struct Behaviour {
    pub meta: Meta,
    pub run: Run,
    /// The emulator's deviations that make this behaviour fail, and no others: the deviation self-test
    /// holds the suite to it, and a plan under a budget ranks behaviours by how many they catch.
    pub broken_by: Vec<Deviation>,
    /// The deviations that change this behaviour's answers without making it fail (a field added to
    /// every success it meets, a status it reads only as "a refusal"): what `diff` against a deviating
    /// emulator finds here besides `broken_by`. Its test holds the two lists to what `diff` finds.
    pub changed_by: Vec<Deviation>,
    /// The claims of the vendor's page this behaviour checks (ids of `claims/claims.json`): the map
    /// `coverage` reads, declared here so that it moves with the behaviour.
    pub claims: Vec<ClaimId>,
}

/// A claim of the vendor's page, by its id in `claims/claims.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ClaimId(pub &'static str);

/// What a behaviour does when it runs. A closure, so that the rows of a family (the data-URI defects,
/// the inactive statuses, the expiry offsets) share one function and differ only in their row.
pub(crate) type Run = Box<dyn Fn(&mut Probe<'_>) -> Result<(), Stop> + Send + Sync>;

impl std::ops::Deref for Behaviour {
    type Target = Meta;

    fn deref(&self) -> &Meta {
        &self.meta
    }
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
        let meta = Meta {
            id: BehaviourId(id),
            family,
            strictness: Strictness::Inferred,
            kind: Kind::Example,
            statement,
            source,
            needs: &[],
            cost: Cost { requests: 1, charging: 0 },
        };
        Behaviour { meta, run: Box::new(run), broken_by: Vec::new(), changed_by: Vec::new(), claims: Vec::new() }
    }

    fn with(self, meta: Meta) -> Behaviour {
        Behaviour { meta, ..self }
    }

    /// The vendor's page says so (see `Strictness::Documented`).
    pub(crate) fn documented(self) -> Behaviour {
        let meta = Meta { strictness: Strictness::Documented, ..self.meta };
        self.with(meta)
    }

    /// Generated cases: `cost` is then per case.
    pub(crate) fn property(self) -> Behaviour {
        let meta = Meta { kind: Kind::Property, ..self.meta };
        self.with(meta)
    }

    pub(crate) fn needs(self, needs: &'static [Capability]) -> Behaviour {
        let meta = Meta { needs, ..self.meta };
        self.with(meta)
    }

    /// The deviations that break this behaviour: groups of those that break every behaviour meeting
    /// one kind of answer (`catalogue::MEETS_200` and the like) and those that break it alone.
    pub(crate) fn broken_by(mut self, lists: &[&[Deviation]]) -> Behaviour {
        self.broken_by.extend(lists.iter().flat_map(|l| l.iter().copied()));
        self.broken_by.sort_unstable();
        self.broken_by.dedup();
        self
    }

    /// The deviations that change this behaviour's answers while it still passes (see `changed_by`).
    pub(crate) fn changed_by(mut self, lists: &[&[Deviation]]) -> Behaviour {
        self.changed_by.extend(lists.iter().flat_map(|l| l.iter().copied()));
        self.changed_by.sort_unstable();
        self.changed_by.dedup();
        self
    }

    /// The claims of the vendor's page this behaviour checks.
    pub(crate) fn claims(mut self, ids: &[&'static str]) -> Behaviour {
        self.claims.extend(ids.iter().map(|id| ClaimId(id)));
        self
    }

    /// Whether `d` changes what this behaviour is answered: it breaks it, or changes it without breaking it.
    pub fn changed_under(&self, d: Deviation) -> bool {
        self.broken_by.contains(&d) || self.changed_by.contains(&d)
    }

    /// Requests, and requests that may charge a credit, that one run (or one case) sends.
    pub(crate) fn cost(self, requests: u32, charging: u32) -> Behaviour {
        let meta = Meta { cost: Cost { requests, charging }, ..self.meta };
        self.with(meta)
    }
}
