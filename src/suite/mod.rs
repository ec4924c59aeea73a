//! The conformance harness: the behaviour catalogue, the probe each behaviour runs with, the oracles
//! that judge responses, generated inputs, and the runner that turns it all into libtest-mimic trials.

pub mod baseline;
pub(crate) mod behaviour;
pub mod catalogue;
pub(crate) mod context;
pub mod event;
pub mod expectations;
pub mod finding;
pub mod fixtures;
pub(crate) mod generate;
pub mod ledger;
pub mod observed;
pub(crate) mod oracle;
pub mod plan;
pub(crate) mod probe;
pub(crate) mod property;
pub(crate) mod repro;
pub mod runner;
pub mod settings;
pub mod snapshot;
pub(crate) mod spec;

pub use behaviour::{BehaviourId, Cost, Family, Kind, Meta, Strictness};
pub use catalogue::Behaviour;
pub use context::{Ctx, CtxError, Env, LazyCtx, Started, Starter, TargetSpec};
pub use finding::Violation;
pub use probe::{Outcome, Probe, Stop};
pub use settings::{DEFAULT_CASES, Profile, RunSettings};
