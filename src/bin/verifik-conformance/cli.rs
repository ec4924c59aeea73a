//! The command line, as clap types only; `main.rs` dispatches on them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use verifik_conformance::deviation::Deviation;
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::target::TargetOptions;

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
    /// Trends over runs (liveness --out directories and --ndjson files): an HTML page and a JSON
    /// summary; exit 1 when the latest run leaves its band or a behaviour newly fails.
    History(HistoryArgs),
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

/// The run-time limit applied to targets off this machine when none is given.
pub(crate) const DEFAULT_REMOTE_MAX_TIME: u64 = 900;
/// The validation requests a plan against a target off this machine stays within when none is given:
/// the vendor documents 100 per hour per project.
pub const DEFAULT_REMOTE_VALIDATIONS: u64 = 100;

impl TargetArgs {
    /// Everything about these flags that is wrong before any request is sent.
    pub fn problems(&self) -> Option<String> {
        if let Some(url) = &self.base_url {
            match reqwest::Url::parse(url) {
                Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
                _ => return Some(format!("--base-url {url:?} is not an http(s) URL")),
            }
            if !self.deviations.is_empty() {
                return Some("--deviate applies to the embedded emulator only; drop --base-url".into());
            }
            if self.noise.is_set() {
                return Some(
                    "--liveness-noise, --liveness-run-noise and --liveness-shift apply to the embedded emulator only"
                        .into(),
                );
            }
        }
        if let Some(r) = self.rate
            && !(r.is_finite() && (0.001..=10_000.0).contains(&r))
        {
            return Some(format!("--rate {r} is not between 0.001 and 10000 requests per second"));
        }
        if !(1..=3600).contains(&self.timeout) {
            return Some(format!("--timeout {} is not between 1 and 3600 seconds", self.timeout));
        }
        if self.max_time.is_some_and(|t| !(1..=7 * 24 * 3600).contains(&t)) {
            return Some("--max-time must be between 1 second and a week".into());
        }
        if let Some(problem) = self.noise.problems() {
            return Some(problem);
        }
        if self.max_failures == 0 {
            return Some("--max-failures must be at least 1".into());
        }
        if self.max_requests == Some(0) {
            return Some("--max-requests must be at least 1".into());
        }
        if self.registration_tokens.iter().any(|t| t.trim().is_empty()) {
            return Some("--registration-token must not be empty".into());
        }
        None
    }

    /// The client token and the registration tokens, from the flags and the token files. The error
    /// names the file, never what it holds.
    pub fn tokens(&self) -> Result<(Option<String>, Vec<String>), String> {
        let read = |path: &PathBuf| {
            std::fs::read_to_string(path).map_err(|e| format!("cannot read the token file {}: {e}", path.display()))
        };
        let lines = |text: &str| -> Vec<String> {
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).map(str::to_owned).collect()
        };
        let client_token = match &self.client_token_file {
            Some(path) => Some(
                lines(&read(path)?)
                    .into_iter()
                    .next()
                    .ok_or_else(|| format!("the token file {} holds no token", path.display()))?,
            ),
            None => self.client_token.clone(),
        };
        let mut registration_tokens = self.registration_tokens.clone();
        if let Some(path) = &self.registration_token_file {
            let found = lines(&read(path)?);
            if found.is_empty() {
                return Err(format!("the token file {} holds no token", path.display()));
            }
            registration_tokens.extend(found);
        }
        Ok((client_token, registration_tokens))
    }

    /// The run-time limit in force: the flag, or the default for a target off this machine.
    /// How requests are sent to the target, as these flags say; the rest as `TargetOptions` defaults.
    pub fn options(&self) -> TargetOptions {
        TargetOptions {
            timeout: std::time::Duration::from_secs(self.timeout),
            max_requests: self.max_requests,
            rate: self.rate,
            max_failures: self.max_failures,
            max_time: self.max_time(),
            ..TargetOptions::default()
        }
    }

    pub fn max_time(&self) -> Option<std::time::Duration> {
        self.max_time.or(self.is_remote().then_some(DEFAULT_REMOTE_MAX_TIME)).map(std::time::Duration::from_secs)
    }

    /// Whether the target is off this machine (not loopback, not the embedded emulator).
    pub fn is_remote(&self) -> bool {
        self.base_url.as_deref().and_then(|u| reqwest::Url::parse(u).ok()).is_some_and(|u| {
            let host = u.host_str().unwrap_or_default().trim_matches(['[', ']']);
            let loopback = host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback());
            !loopback && host != "localhost"
        })
    }
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
    /// A file whose first line is the client token: unlike the flag, it shows in neither `ps` nor the
    /// shell's history.
    #[arg(long, value_name = "PATH", conflicts_with = "client_token")]
    pub client_token_file: Option<PathBuf>,
    /// The project flow to create registrations in (default: any the client token sees).
    #[arg(long, env = "VERIFIK_PROJECT_FLOW")]
    pub project_flow: Option<String>,
    /// Registration tokens to use when the target offers no other set-up (repeatable); each is spent
    /// by its first 200.
    #[arg(
        long = "registration-token",
        value_name = "T",
        env = "VERIFIK_REGISTRATION_TOKENS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub registration_tokens: Vec<String>,
    /// A file of registration tokens, one a line (blank lines and lines starting with `#` ignored),
    /// added to any `--registration-token`.
    #[arg(long, value_name = "PATH")]
    pub registration_token_file: Option<PathBuf>,
    /// Stop sending after this many requests; what is left is skipped with the reason.
    #[arg(long)]
    pub max_requests: Option<u64>,
    /// At most this many requests per second (0.001 to 10000).
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds to wait for one answer (1 to 3600). A body that trickles in below 1 KiB/s is a timeout
    /// whatever this says.
    #[arg(long, default_value_t = TargetOptions::default().timeout.as_secs())]
    pub timeout: u64,
    /// Seconds the whole run may take; what is left is reported as not run (default: 900 for a target
    /// that is not on loopback, none otherwise).
    #[arg(long, value_name = "SECS")]
    pub max_time: Option<u64>,
    /// Consecutive transport failures or timeouts of one route after which the target is given up.
    #[arg(long, default_value_t = TargetOptions::default().max_failures)]
    pub max_failures: u32,
    /// Deviations of the embedded emulator (repeatable), to watch the suite catch them.
    #[arg(long = "deviate", value_name = "NAME")]
    pub deviations: Vec<Deviation>,
    /// The embedded emulator's liveness scores, moved on purpose.
    #[command(flatten)]
    pub noise: NoiseArgs,
}

/// How the emulator's liveness scores are moved on purpose (`emulate` and the embedded emulator).
#[derive(Debug, Args)]
pub struct NoiseArgs {
    /// Standard deviation of seeded Gaussian noise on each liveness score (each presentation its own draw).
    #[arg(long, value_name = "SD", default_value_t = 0.0)]
    pub liveness_noise: f64,
    /// Standard deviation of one seeded offset shared by every score of the run (a vendor's
    /// day-to-day movement).
    #[arg(long, value_name = "SD", default_value_t = 0.0)]
    pub liveness_run_noise: f64,
    /// Added to every liveness score (a silent model change of any size).
    #[arg(long, value_name = "DELTA", default_value_t = 0.0, allow_negative_numbers = true)]
    pub liveness_shift: f64,
}

impl NoiseArgs {
    pub fn is_set(&self) -> bool {
        self.liveness_noise != 0.0 || self.liveness_run_noise != 0.0 || self.liveness_shift != 0.0
    }

    pub fn score_noise(&self, seed: u64) -> ScoreNoise {
        ScoreNoise { sd: self.liveness_noise, run_sd: self.liveness_run_noise, shift: self.liveness_shift, seed }
    }

    /// What is wrong with these flags.
    pub fn problems(&self) -> Option<String> {
        for (flag, sd) in [("--liveness-noise", self.liveness_noise), ("--liveness-run-noise", self.liveness_run_noise)]
        {
            if !(sd.is_finite() && (0.0..=0.5).contains(&sd)) {
                return Some(format!("{flag} {sd} is not between 0 and 0.5"));
            }
        }
        let shift = self.liveness_shift;
        if !(shift.is_finite() && (-1.0..=1.0).contains(&shift)) {
            return Some(format!("--liveness-shift {shift} is not between -1 and 1"));
        }
        None
    }
}

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
    /// Write a JUnit XML report.
    #[arg(long, value_name = "FILE")]
    pub junit: Option<PathBuf>,
    /// Write one JSON event per check.
    #[arg(long, value_name = "FILE")]
    pub ndjson: Option<PathBuf>,
    /// Write a self-contained HTML report into this directory.
    #[arg(long, value_name = "DIR")]
    pub html: Option<PathBuf>,
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
