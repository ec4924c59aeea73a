//! The flags of `run`: the target, how strictly it is judged, reports, expectations and plans.

use std::path::PathBuf;

use clap::Args;

use super::TargetArgs;

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Judge a base URL like the emulator: inferred behaviours fail instead of warning.
    #[arg(long)]
    pub emulator_profile: bool,
    /// Deprecated (goes in version 0.3, June 2027): --expectations FILE holds known deviations.
    #[arg(long, value_name = "FILE", hide = true)]
    pub baseline: Option<PathBuf>,
    /// Deprecated: --expectations FILE --update-expectations.
    #[arg(long, value_name = "FILE", hide = true)]
    pub baseline_update: Option<PathBuf>,
    /// Known deviations that no longer occur fail the run instead of asking to be pruned.
    #[arg(long)]
    pub baseline_strict: bool,
    /// Every warning fails the run: inferred expectations and fields the schemas do not name
    /// (OpenAPI validators' "strict mode"), against any target.
    #[arg(long)]
    pub strict: bool,
    /// One test case per behaviour (JUnit), one JSON event per check (NDJSON), the run's page (HTML).
    #[command(flatten)]
    pub reports: super::ReportFlags,
    /// Write every exchange as HAR 1.2 (redacted: tokens summarised, images named by fixture id).
    #[arg(long, value_name = "FILE")]
    pub har: Option<PathBuf>,
    /// The target's expectations file: its expected answer sets and known deviations (docs/operating.md).
    #[arg(long, value_name = "FILE")]
    pub expectations: Option<PathBuf>,
    /// Update the --expectations file from this run (created when missing) and print what was added,
    /// promoted, expired and removed.
    #[arg(long, requires = "expectations")]
    pub update_expectations: bool,
    /// Confirming runs after which a new expectation gates (written into the file on update).
    #[arg(long, value_name = "N")]
    pub gate_after: Option<u32>,
    /// Runs after which a form of an intermittent answer set not seen again expires (written on update).
    #[arg(long, value_name = "M")]
    pub intermittent_expiry: Option<u32>,
    /// After the run, which statuses, codes and 200-body fields of schemas/openapi.yaml the target
    /// returned, and for each one it did not, whether the plan asked for it; printed, and written to FILE
    /// as JSON.
    #[arg(long, value_name = "FILE")]
    pub contract_coverage: Option<PathBuf>,
    /// Rewrite `snapshots/` from the embedded emulator's answers where they differ (after a deliberate
    /// change of the emulator); only without --base-url and --deviate.
    #[arg(long)]
    pub accept_snapshots: bool,
    /// Keep what the target answered on the central endpoint, per behaviour and generated case, in
    /// this directory (a new directory per run).
    #[arg(long, value_name = "DIR")]
    pub record_observed: Option<PathBuf>,
    /// Report every answer set whose status, media type, code, message or shape differs from every
    /// run recorded in these directories (repeatable: what differs between them is noise, not change);
    /// a warning, a failure under --strict. The run takes their seed.
    #[arg(long, value_name = "DIR")]
    pub observed: Vec<PathBuf>,
    /// Seed of every generated case; a failure prints the seed that replays it.
    #[arg(long, env = "VERIFIK_SEED")]
    pub seed: Option<u64>,
    /// Generated cases per property behaviour.
    #[arg(long, default_value_t = verifik_conformance::suite::DEFAULT_CASES, env = "VERIFIK_CASES")]
    pub cases: u32,
    /// Print the plan (behaviours, requests, credit-charging requests) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Take only the behaviours whose credit-charging requests fit N (documented first, then those
    /// that catch the most deviations); the rest are skipped with the reason. `--dry-run` shows the plan.
    #[arg(long, value_name = "N")]
    pub budget_credits: Option<u64>,
    /// Take only the behaviours whose validation requests fit N (default 100 against a target off
    /// this machine: the vendor allows 100 per hour per project).
    #[arg(long, value_name = "N")]
    pub budget_validations: Option<u64>,
    /// Write the bodies of failing requests here, for their `curl` reproductions (the one place face
    /// bytes are written).
    #[arg(long, value_name = "DIR")]
    pub repro_dir: Option<PathBuf>,
    #[command(flatten)]
    pub libtest: libtest_mimic::Arguments,
}
