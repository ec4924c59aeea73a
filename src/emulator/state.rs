//! What every handler shares: the store, the signing keys, the liveness engine and the configuration.

use std::path::PathBuf;
use std::sync::Arc;

use super::liveness::LivenessEngine;
use super::store::Store;
use super::token::Keys;
use crate::deviation::Deviation;

/// Largest request body accepted before answering 413. A 4096x4096 JPEG selfie stays well below it.
pub(crate) const DEFAULT_BODY_LIMIT: usize = 10 * 1024 * 1024;

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
    /// Validation requests allowed per project in a sliding window (`--validation-limit N/SECS`; the
    /// vendor documents 100 per hour); `None` enforces nothing.
    pub validation_limit: Option<(u32, std::time::Duration)>,
    /// The seeded client's balance when the store is new, and a provider-state client's unless the
    /// set-up names one (`--seed-credits`): a small one rehearses a vendor account that runs out.
    pub seed_credits: i64,
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
            validation_limit: None,
            seed_credits: super::store::SEED_CREDITS,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub keys: Arc<Keys>,
    pub engine: Arc<dyn LivenessEngine>,
    pub config: Arc<EmulatorConfig>,
    /// The deviations it was started with, consulted at the named points of a request's flow.
    pub(crate) policy: Arc<super::policy::Policy>,
    /// How many times each image digest was scored, so its noise differs presentation to presentation.
    pub seen: Arc<std::sync::Mutex<std::collections::HashMap<String, u64>>>,
    /// Per project, when its validation requests inside the window came, and how many were refused.
    pub window: Arc<std::sync::Mutex<ValidationWindow>>,
}

/// The sliding window of `validation_limit`.
#[derive(Debug, Default)]
pub struct ValidationWindow {
    pub recent: std::collections::HashMap<String, std::collections::VecDeque<std::time::Instant>>,
    /// Requests answered 429, for tests and logs.
    pub refused: u64,
}

impl AppState {
    /// The engine's score after the configured noise and shift, for the `n`-th presentation of an image.
    pub(crate) fn perturb(&self, score: crate::api::Score, digest: &str) -> crate::api::Score {
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

    /// Counts a validation request of `project`; when the window is full, the seconds until a slot
    /// frees (for `Retry-After`).
    pub(crate) fn throttle(&self, project: &str) -> Option<u64> {
        let (limit, window) = self.config.validation_limit?;
        let now = std::time::Instant::now();
        let mut w = self.window.lock().unwrap_or_else(|p| p.into_inner());
        let recent = w.recent.entry(project.to_owned()).or_default();
        while recent.front().is_some_and(|t| now.duration_since(*t) >= window) {
            recent.pop_front();
        }
        if recent.len() < limit as usize {
            recent.push_back(now);
            return None;
        }
        let free_in = recent.front().map_or(window, |t| window.saturating_sub(now.duration_since(*t)));
        w.refused += 1;
        Some(free_in.as_secs_f64().ceil().max(1.0) as u64)
    }
}
