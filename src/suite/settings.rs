//! A run's options, as one library type with its defaults in one `Default`: the command line parses
//! into it, and its part about the target (`TargetOptions`) is handed to the target whole.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::target::TargetOptions;

/// Generated cases per property unless a run says otherwise.
pub const DEFAULT_CASES: u32 = 32;

/// Whether inferred behaviours fail (the emulator and self-hosted targets that opt in) or warn
/// (the vendor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Emulator,
    Vendor,
}

/// Everything a run is told, apart from which target it runs against (`TargetSpec`).
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub seed: u64,
    /// Generated cases per property.
    pub cases: u32,
    /// How requests are sent: timeout, budget, rate, failures, time limit, `--har`.
    pub target: TargetOptions,
    /// Every warning fails: inferred expectations and undocumented fields, against any target.
    pub strict: bool,
    /// Known deviations that do not fail the run (`--baseline`).
    pub baseline: Option<Arc<super::baseline::Baseline>>,
    /// `--repro-dir`: where the bodies of failing requests are written for their reproductions.
    pub repro_dir: Option<PathBuf>,
    /// `--observed DIR` (repeatable): compare the central endpoint's answers with the runs recorded there.
    pub observed: Vec<PathBuf>,
    /// `--record-observed DIR`: keep the central endpoint's answers to write them there.
    pub record_observed: Option<PathBuf>,
    /// Keep every answer in the order sent (`RunResult::sequences`), for `diff`.
    pub keep_answers: bool,
    /// `--expectations FILE`: the target's expected answer sets and known deviations.
    pub expectations: Option<Arc<super::expectations::Expectations>>,
    /// `--accept-snapshots`: a snapshot difference rewrites the snapshot instead of failing.
    pub accept_snapshots: bool,
    /// Behaviours (trial names) the plan left out (`--budget-credits`, `--budget-validations`), with why.
    pub left_out: HashMap<String, String>,
}

impl Default for RunSettings {
    fn default() -> RunSettings {
        RunSettings {
            seed: 0,
            cases: DEFAULT_CASES,
            target: TargetOptions::default(),
            strict: false,
            baseline: None,
            repro_dir: None,
            observed: Vec::new(),
            record_observed: None,
            keep_answers: false,
            accept_snapshots: false,
            expectations: None,
            left_out: HashMap::new(),
        }
    }
}

impl RunSettings {
    /// The defaults, for a run of `cases` cases per property with `seed`.
    pub fn new(seed: u64, cases: u32) -> RunSettings {
        RunSettings { seed, cases, ..RunSettings::default() }
    }
}
