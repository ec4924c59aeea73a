//! What the suite tests against: an HTTP client for one base URL with a request budget and a rate
//! limit, the record of each exchange, redaction of secrets, and the ways a registration is set up.

mod call;
mod client;
mod exchange;
mod har;
mod health;
pub(crate) mod journal;
mod provision;
pub mod redact;
pub mod redactor;
pub mod secret_forms;
pub mod shared_run;
pub mod states;
pub mod tls;
pub mod untrusted;

pub use client::{Body, Call, Target, TargetError, TargetOptions};
pub use exchange::Exchange;
pub use har::HarLog;
pub use provision::{
    Capability, FlowChoice, PROVIDER_STATES, ProvisionError, Provisioned, Provisioner, ScriptStep, StateParams,
    TokenPool,
};
