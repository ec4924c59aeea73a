//! The embedded emulator as a run's target. It sits above both `suite` and `emulator`: the suite is
//! handed a way to start a target and never names the emulator; the emulator knows nothing of the
//! suite. The server starts on its own runtime the first time a run needs it (`--list` starts none).

use std::sync::Arc;

use crate::deviation::Deviation;
use crate::emulator::noise::ScoreNoise;
use crate::emulator::{EmulatorConfig, RunningEmulator};
use crate::suite::{Started, TargetSpec};

/// The embedded emulator with these deviations and this score noise, with provider states.
pub fn spec(deviations: Vec<Deviation>, noise: ScoreNoise) -> TargetSpec {
    // Only the conformant emulator may leave `.snap.new` files in the source tree.
    let conformant = deviations.is_empty();
    TargetSpec::Embedded { start: Arc::new(move || start(deviations.clone(), noise)), conformant }
}

/// The same, judged against a copy of the snapshots even when it deviates from nothing: for runs whose
/// answers are compared (`diff`, the reference of contract coverage), never reviewed as snapshots.
pub fn spec_elsewhere(deviations: Vec<Deviation>, noise: ScoreNoise) -> TargetSpec {
    match spec(deviations, noise) {
        TargetSpec::Embedded { start, .. } => TargetSpec::Embedded { start, conformant: false },
        other => other,
    }
}

fn start(deviations: Vec<Deviation>, noise: ScoreNoise) -> Result<Started, Box<dyn std::error::Error + Send + Sync>> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let config = EmulatorConfig { provider_states: true, deviations, score_noise: noise, ..EmulatorConfig::default() };
    let emulator = runtime.block_on(RunningEmulator::start(config))?;
    Ok(Started {
        base_url: emulator.base_url(),
        client_token: emulator.seeded.client_token.clone(),
        // The server stops first, then its runtime.
        keep_alive: Box::new((emulator, runtime)),
    })
}
