//! The command line, as clap types only; `main.rs` dispatches on them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::emulator::Deviation;

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
    /// Record liveness decisions and scores over the fixture face set; optionally compare to a baseline.
    Liveness(Box<LivenessArgs>),
    /// Compare two liveness run files: stable or drifted (exit 1 on drift).
    Compare(CompareArgs),
    /// Regenerate the derived fixtures and check their digests against fixtures/manifest.json.
    Fixtures(FixturesArgs),
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
    pub os: Vec<crate::api::Os>,
    /// A previous run.json to compare with; exit 1 on drift.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CompareArgs {
    pub baseline: PathBuf,
    pub current: PathBuf,
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

/// Which server to talk to and how politely; shared by `run` and `liveness`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// The target; without it an emulator is started in-process on 127.0.0.1:<random>.
    #[arg(long, env = "VERIFIK_BASE_URL")]
    pub base_url: Option<String>,
    /// A client token of the target, to create registrations through its public API.
    #[arg(long, env = "VERIFIK_CLIENT_TOKEN", hide_env_values = true)]
    pub client_token: Option<String>,
    /// The project flow to create registrations in (default: any the client token sees).
    #[arg(long, env = "VERIFIK_PROJECT_FLOW")]
    pub project_flow: Option<String>,
    /// Stop sending after this many requests; what is left is skipped with the reason.
    #[arg(long)]
    pub max_requests: Option<u64>,
    /// At most this many requests per second.
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds to wait for one answer.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// Deviations of the embedded emulator (repeatable), to watch the suite catch them.
    #[arg(long = "deviate", value_name = "NAME")]
    pub deviations: Vec<Deviation>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Judge a base URL like the emulator: inferred behaviours fail instead of warning.
    #[arg(long)]
    pub emulator_profile: bool,
    /// Every warning fails the run: inferred expectations and fields the schemas do not name
    /// (OpenAPI validators' "strict mode"), against any target.
    #[arg(long)]
    pub strict: bool,
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write one JSON event per check.
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,
    /// Write a self-contained HTML report into this directory.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
    /// Seed of every generated case; a failure prints the seed that replays it.
    #[arg(long, env = "VERIFIK_SEED")]
    pub seed: Option<u64>,
    /// Generated cases per property behaviour.
    #[arg(long, default_value_t = 32, env = "VERIFIK_CASES")]
    pub cases: u32,
    /// Print the plan (behaviours, requests, credit-charging requests) and send nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub libtest: libtest_mimic::Arguments,
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
}
