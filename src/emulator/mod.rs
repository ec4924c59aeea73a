//! The emulator: a faithful, embedded reference implementation of Verifik's app-registration
//! biometric flow (axum on tokio, state in SQLite, HS256 tokens).
//!
//! Where the vendor's documentation is silent it follows the decisions listed in `docs/emulator.md`; each of
//! them is an *inferred* behaviour. Its liveness engine is a test double, not a security control.

pub(crate) mod auth;
pub(crate) mod body;
pub(crate) mod error;
pub(crate) mod handlers;
pub(crate) mod jwt_ring;
pub mod liveness;
pub(crate) mod model;
pub mod noise;
pub mod pad;
pub(crate) mod policy;
pub(crate) mod routes;
pub(crate) mod state;
pub mod store;
pub(crate) mod token;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

pub use state::{AppState, EmulatorConfig};
pub use store::{SEED_CREDITS, Seeded, StoreError};

/// A built emulator: its state, ready to serve, and what seeding produced.
pub struct Emulator {
    pub state: AppState,
    pub seeded: Seeded,
}

impl Emulator {
    /// Opens the store, migrates and seeds it, and loads the signing keys.
    pub fn new(config: EmulatorConfig) -> Result<Emulator, StartError> {
        let store = store::Store::open(config.db.as_deref())?;
        let (seeded, secret) = store.call_blocking(|c| {
            let seeded = store::seed(c, config.client_token.as_deref(), config.seed_credits)?;
            Ok((seeded, store::jwt_secret(c)?))
        })?;
        let policy = Arc::new(policy::Policy::new(&config.deviations));
        let state = AppState {
            store,
            keys: Arc::new(token::Keys::from_secret(secret.as_bytes(), !policy.checks_expiry())),
            engine: Arc::new(pad::PadEngine::new().map_err(StartError::Model)?),
            config: Arc::new(config),
            policy,
            seen: Arc::new(std::sync::Mutex::new(std::collections::HashMap::new())),
            window: Arc::default(),
        };
        Ok(Emulator { state, seeded })
    }

    pub fn router(&self) -> axum::Router {
        routes::app(self.state.clone())
    }

    /// Serves on an already bound listener until `shutdown` completes.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        axum::serve(listener, self.router()).with_graceful_shutdown(shutdown).await
    }
}

/// An emulator running on a background task, for the suite and for tests.
pub struct RunningEmulator {
    pub addr: SocketAddr,
    pub seeded: Seeded,
    pub state: AppState,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    /// Binds `127.0.0.1:0` first, then spawns the server, so the address is valid before any request.
    pub async fn start(config: EmulatorConfig) -> Result<RunningEmulator, StartError> {
        let emulator = Emulator::new(config)?;
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.map_err(StartError::Bind)?;
        let addr = listener.local_addr().map_err(StartError::Bind)?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let seeded = emulator.seeded.clone();
        let state = emulator.state.clone();
        let task = tokio::spawn(emulator.serve(listener, async {
            let _ = stopped.await;
        }));
        Ok(RunningEmulator { addr, seeded, state, stop: Some(stop), task })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops accepting, lets in-flight requests finish, and waits for the server task.
    pub async fn shutdown(mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await.unwrap_or(Ok(()))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("failed to prepare the emulator's store")]
    Store(#[from] StoreError),
    #[error("failed to bind a loopback port")]
    Bind(#[source] std::io::Error),
    #[error("failed to load the face detection model")]
    Model(#[source] std::io::Error),
}
