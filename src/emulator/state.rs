//! What every handler shares: the store, the signing keys, the liveness engine and the configuration.

use std::path::PathBuf;
use std::sync::Arc;

use super::auth::Keys;
use super::deviation::Deviation;
use super::liveness::LivenessEngine;
use super::store::Store;

/// Largest request body accepted before answering 413. A 4096x4096 JPEG selfie stays well below it.
pub const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

/// How the emulator is started.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// SQLite file; `None` keeps everything in memory.
    pub db: Option<PathBuf>,
    /// The seeded client's token; `None` keeps the stored one or generates one on first start.
    pub client_token: Option<String>,
    /// Whether the provider-state control endpoint is served.
    pub provider_states: bool,
    pub body_limit: usize,
    /// Deliberate contract deviations, for the suite's self-test; empty unless asked for.
    pub deviations: Vec<Deviation>,
    /// Seeded noise and shift of the liveness engine's scores (`--liveness-noise`, `--liveness-shift`).
    pub score_noise: super::noise::ScoreNoise,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            db: None,
            client_token: None,
            provider_states: false,
            body_limit: DEFAULT_BODY_LIMIT,
            deviations: Vec::new(),
            score_noise: super::noise::ScoreNoise::default(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: Arc<Keys>,
    pub engine: Arc<dyn LivenessEngine>,
    pub config: Arc<EmulatorConfig>,
    /// The first validation id answered, for the `reuse-validation-id` deviation.
    pub first_validation: Arc<std::sync::OnceLock<String>>,
    /// How many times each image digest was scored, so its noise differs presentation to presentation.
    pub seen: Arc<std::sync::Mutex<std::collections::HashMap<String, u64>>>,
}

impl AppState {
    pub fn deviates(&self, d: Deviation) -> bool {
        self.config.deviations.contains(&d)
    }

    /// The engine's score after the configured noise and shift, for the `n`-th presentation of an image.
    pub fn perturb(&self, score: crate::api::Score, digest: &str) -> crate::api::Score {
        let noise = self.config.score_noise;
        if noise.is_none() {
            return score;
        }
        let occurrence = {
            let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
            let n = seen.entry(digest.to_owned()).or_default();
            *n += 1;
            *n - 1
        };
        noise.apply(score, digest, occurrence)
    }

    /// The body limit in force (none worth the name under `no-body-limit`).
    pub fn body_limit(&self) -> usize {
        if self.deviates(Deviation::NoBodyLimit) { 64 * 1024 * 1024 } else { self.config.body_limit }
    }
}
