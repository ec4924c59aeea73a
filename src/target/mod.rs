//! What the suite tests against: an HTTP client for one base URL with a request budget and a rate
//! limit, the record of each exchange, redaction of secrets, and the ways a registration is set up.

mod client;
mod exchange;
mod provision;
pub mod redact;

pub use client::{Body, Call, Target, TargetError, TargetOptions};
pub use exchange::Exchange;
pub use provision::{Capability, FlowChoice, PROVIDER_STATES, Provisioned, Provisioner, ScriptStep, StateParams};
