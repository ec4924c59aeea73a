//! The conformance harness: the behaviour catalogue, the probe each behaviour runs with, the oracles
//! that judge responses, generated inputs, and the runner that turns it all into libtest-mimic trials.

pub mod baseline;
pub mod behaviour;
pub mod catalogue;
pub mod context;
pub mod event;
pub mod fixtures;
pub mod generate;
pub mod observed;
pub mod oracle;
pub mod plan;
pub mod probe;
pub mod property;
pub mod repro;
pub mod runner;
pub mod snapshot;
pub mod spec;

pub use behaviour::{Behaviour, BehaviourId, Cost, Family, Kind, Strictness, Violation};
pub use context::{Ctx, CtxError, LazyCtx, Profile, RunSettings, Started, Starter, TargetSpec};
pub use probe::{Outcome, Probe, Stop};
