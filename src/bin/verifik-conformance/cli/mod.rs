//! The command line, as clap types only; `main.rs` dispatches on them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

mod diff;
mod reports;
mod run;
mod target;

pub use diff::{DiffArgs, SideFlags};
pub use reports::ReportFlags;
pub use run::RunArgs;
pub use target::{DEFAULT_REMOTE_VALIDATIONS, NoiseArgs, TargetArgs};
use verifik_conformance::deviation::Deviation;

#[derive(Debug, Parser)]
#[command(
    name = "verifik-conformance",
    version,
    about = "Conformance suite and emulator for Verifik's app-registration biometric validation",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Without a subcommand: run the suite against an embedded emulator (same flags as `run`).
    #[command(flatten)]
    pub run: RunArgs,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the conformance suite against a base URL (or the embedded emulator).
    Run(Box<RunArgs>),
    /// Serve the emulator until interrupted.
    Emulate(EmulateArgs),
    /// Record liveness decisions and scores over the fixture face set; optionally compare with a reference run.
    Liveness(Box<LivenessArgs>),
    /// Compare two liveness run files: stable or drifted (exit 1 on drift).
    Compare(CompareArgs),
    /// Regenerate the derived fixtures and check their digests against fixtures/manifest.json.
    Fixtures(FixturesArgs),
    /// Run each behaviour that failed in a recorded run again (same seed, same cases, fresh set-up):
    /// FIXED, STILL FAILING or ERROR for each; exit 1 unless every one is fixed.
    Replay(Box<ReplayArgs>),
    /// The same seeded cases against two targets (or a target and recorded answers), compared request by
    /// request with each side's noise set aside: exit 0 when they agree, 1 when they diverge.
    Diff(Box<DiffArgs>),
    /// Every claim of the vendor's page with the behaviours that check it: tested, inferred-only,
    /// untestable or untested (exit 1 when a testable claim is untested); `--page FILE` compares a freshly
    /// saved copy of the page with the claims.
    Coverage(CoverageArgs),
    /// Trends over runs (liveness --out directories and --ndjson files): an HTML page and a JSON
    /// summary; exit 1 when the latest run leaves its band or a behaviour newly fails.
    History(HistoryArgs),
}

#[derive(Debug, Args)]
pub struct CoverageArgs {
    /// A freshly saved copy of the vendor's page (text): each claim unchanged, changed or gone, the
    /// behaviours to revisit, and the sentences no claim covers; exit 1 when anything changed.
    #[arg(long, value_name = "FILE")]
    pub page: Option<PathBuf>,
    /// The page with each claim marked (HTML), one record per claim (NDJSON), one test case per claim
    /// (JUnit: untested ones fail, untestable ones are skipped).
    #[command(flatten)]
    pub reports: ReportFlags,
    /// Coverage as it would be without these behaviours (repeatable): what removing one leaves unchecked.
    #[arg(long, value_name = "ID")]
    pub without: Vec<String>,
}

#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// Directory for index.html and history.json.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Liveness runs whose medians set the bands.
    #[arg(long, default_value_t = verifik_conformance::history::Options::default().reference)]
    pub reference: usize,
    /// The liveness run (1 = the earliest) where the reference window starts: after an accepted change,
    /// the first run with the new behaviour.
    #[arg(long, value_name = "N", default_value_t = 1)]
    pub rebase_at: usize,
    /// The chance of any alarm on a page of unchanged runs (every class's level and trend tests are one
    /// family, Holm).
    #[arg(long, value_name = "P", default_value_t = verifik_conformance::history::Options::default().family_alpha)]
    pub false_alarm_rate: f64,
    /// The runs, in any order: liveness `--out` directories and conformance `--ndjson` files.
    #[arg(required = true, value_name = "RUN")]
    pub runs: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The run's `--ndjson` file.
    pub run: PathBuf,
    /// Where to replay: flags as for `run` (the embedded emulator when no --base-url is given).
    #[command(flatten)]
    pub target: TargetArgs,
    /// Judge a base URL like the emulator (default: the profile the run recorded).
    #[arg(long)]
    pub emulator_profile: bool,
    /// Only these behaviours (repeatable).
    #[arg(long = "only", value_name = "ID")]
    pub only: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LivenessArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Directory for run.json and index.html.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Presentations of every fixture with every os.
    #[arg(long, default_value_t = 1)]
    pub repeat: u32,
    /// Only these os values (default: all three).
    #[arg(long = "os", value_name = "OS")]
    pub os: Vec<verifik_conformance::api::Os>,
    /// A reference run.json (a known-good day) to compare with; exit 1 on drift.
    #[arg(long, value_name = "FILE")]
    pub compare_with: Option<PathBuf>,
    /// Deprecated (goes in version 0.3, June 2027): --compare-with.
    #[arg(long, value_name = "FILE", hide = true)]
    pub baseline: Option<PathBuf>,
    /// Print the figures of the calibration half of the face set instead of the evaluation half.
    #[arg(long)]
    pub calibration: bool,
    /// The run's seed, recorded in run.json (random and recorded when absent).
    #[arg(long, env = "VERIFIK_SEED")]
    pub seed: Option<u64>,
    /// The largest share of presentations that may end in an error (transport, 5xx, 401/403, 429;
    /// quality rejections are decisions) before the run fails.
    #[arg(long, default_value_t = 0.1)]
    pub max_error_share: f64,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    pub baseline: PathBuf,
    pub current: PathBuf,
    /// SD of the offset the target's scores share within a run and not across runs (its day-to-day
    /// movement, as `history` measures it); 0 assumes none, and then such a movement reads as drift.
    #[arg(long, value_name = "SD", default_value_t = 0.0)]
    pub run_noise: f64,
}

#[derive(Debug, Args)]
pub struct FixturesArgs {
    /// Write every fixture (sources and derived) into this directory, for looking at.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Rewrite the manifest's `derived` digests (after a deliberate change to a recipe).
    #[arg(long)]
    pub write_manifest: bool,
}

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Address to listen on; loopback unless you say otherwise.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// SQLite file that keeps state across restarts; in memory when absent.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Token of the seeded client; generated (and printed once) on first start when absent.
    #[arg(long)]
    pub client_token: Option<String>,
    /// Serve the provider-state control endpoint (POST /__conformance/provider-states).
    #[arg(long)]
    pub provider_states: bool,
    /// Deviate from the contract on purpose (repeatable); for showing that the suite catches it.
    #[arg(long = "deviate", value_name = "NAME")]
    pub deviations: Vec<Deviation>,
    #[command(flatten)]
    pub noise: NoiseArgs,
    /// Seed of the score noise (random and printed when absent).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Enforce a validation limit per project, `N/SECS` (the vendor documents `100/3600`): the
    /// request beyond it is answered 429 with `Retry-After`.
    #[arg(long, value_name = "N/SECS", value_parser = parse_limit)]
    pub validation_limit: Option<(u32, std::time::Duration)>,
    /// The credit balance of the seeded client (when the store is new) and of a provider-state client
    /// whose set-up names none; a small one rehearses an account that runs out.
    #[arg(long, value_name = "N", default_value_t = verifik_conformance::emulator::SEED_CREDITS, value_parser = clap::value_parser!(i64).range(0..))]
    pub seed_credits: i64,
}

/// `N/SECS` with N and SECS at least 1.
pub(crate) fn parse_limit(s: &str) -> Result<(u32, std::time::Duration), String> {
    let (n, secs) = s.split_once('/').ok_or_else(|| format!("{s:?} is not N/SECS"))?;
    let n: u32 = n.trim().parse().map_err(|_| format!("{n:?} is not a count"))?;
    let secs: u64 = secs.trim().parse().map_err(|_| format!("{secs:?} is not a number of seconds"))?;
    if n == 0 || secs == 0 {
        return Err("N and SECS must be at least 1".into());
    }
    Ok((n, std::time::Duration::from_secs(secs)))
}
