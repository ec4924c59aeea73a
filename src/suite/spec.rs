//! What a run is pointed at: a base URL, or a server its caller starts when the run first needs one
//! (the embedded emulator, through `crate::embedded`); and why a run's context could not be prepared.

use crate::target::TargetError;

/// A target its caller started for the run: where it listens, the client token it was seeded with,
/// and what keeps it running (dropped with the run's context).
pub struct Started {
    pub base_url: String,
    pub client_token: String,
    pub keep_alive: Box<dyn std::any::Any + Send + Sync>,
}

/// Starts a target when a run first needs one.
pub type Starter = std::sync::Arc<dyn Fn() -> Result<Started, Box<dyn std::error::Error + Send + Sync>> + Send + Sync>;

/// Why a run's context could not be prepared.
#[derive(Debug, thiserror::Error)]
pub enum CtxError {
    #[error("failed to start the async runtime")]
    Runtime(#[source] std::io::Error),
    #[error("the bundled JSON Schemas do not load")]
    Schemas(#[from] crate::schemas::SchemaError),
    #[error("failed to start the embedded emulator")]
    Start(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("cannot talk to the target")]
    Target(#[from] TargetError),
    #[error("the observed answers cannot be read")]
    Observed(#[from] super::observed::ObservedError),
}

/// What to run against.
#[derive(Clone)]
pub enum TargetSpec {
    /// A server started in this process (the embedded emulator, see `crate::embedded`);
    /// `conformant` when it deviates from nothing, so that it may write snapshots into the source tree.
    Embedded { start: Starter, conformant: bool },
    Url {
        base_url: String,
        client_token: Option<String>,
        project_flow: Option<String>,
        /// Registration tokens handed in (`--registration-token`), used when nothing else sets up.
        registration_tokens: Vec<String>,
        /// Inferred behaviours fail instead of warning (self-hosted targets that follow the emulator).
        emulator_profile: bool,
    },
}
