//! The flags of `diff`: two sides, how each is set up (the flags `run` takes, per side), how many runs
//! teach each side's noise, and the reports.

use std::path::PathBuf;

use clap::{Args, Parser};

use super::TargetArgs;

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The left side: `emulator` (the embedded emulator), an http(s) base URL, or a directory of answers
    /// recorded by `diff --keep` or `run --record-observed` (repeatable for directories: several recorded
    /// runs of one target, whose differences are its noise).
    #[arg(long, required = true, value_name = "SIDE")]
    pub left: Vec<String>,
    /// The right side, as --left.
    #[arg(long, required = true, value_name = "SIDE")]
    pub right: Vec<String>,
    /// The left side's set-up, as `run` takes it, separated by spaces: `--client-token-file F --rate 2`,
    /// `--deviate NAME`, `--emulator-profile`, `--budget-validations N`.
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub left_args: Option<String>,
    /// The right side's set-up, as --left-args.
    #[arg(long, value_name = "FLAGS", allow_hyphen_values = true)]
    pub right_args: Option<String>,
    /// Runs of each live side: what a side's own runs disagree on is its noise, set aside.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub runs: u32,
    /// Seed of every generated case, the same on both sides (a recorded side's when absent).
    #[arg(long, env = "VERIFIK_SEED")]
    pub seed: Option<u64>,
    /// Generated cases per property behaviour (a recorded side's when absent, else 32).
    #[arg(long)]
    pub cases: Option<u32>,
    /// Only these behaviours (repeatable; an id or a trial name).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
    /// One test case per behaviour (JUnit); one record per divergence, per behaviour not comparable, per
    /// step that varied, and a summary (NDJSON); both sides' answers side by side (HTML).
    #[command(flatten)]
    pub reports: super::ReportFlags,
    /// Keep each live side's runs as answer directories (`DIR/left-1`, `DIR/right-1`, ...), usable as a
    /// side of a later diff.
    #[arg(long, value_name = "DIR")]
    pub keep: Option<PathBuf>,
}

/// One side's set-up, parsed from `--left-args`/`--right-args` with `run`'s own flags.
#[derive(Debug, Parser)]
#[command(name = "side flags", no_binary_name = true, disable_help_flag = true, disable_version_flag = true)]
pub struct SideFlags {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Judge a base URL like the emulator.
    #[arg(long)]
    pub emulator_profile: bool,
    #[arg(long, value_name = "N")]
    pub budget_credits: Option<u64>,
    #[arg(long, value_name = "N")]
    pub budget_validations: Option<u64>,
}
