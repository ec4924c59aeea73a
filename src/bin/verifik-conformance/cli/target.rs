//! The flags that say which server to talk to and how politely (shared by `run` and `liveness`), and
//! how the embedded emulator's liveness scores are moved on purpose.

use std::path::PathBuf;

use clap::Args;
use verifik_conformance::deviation::Deviation;
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::target::TargetOptions;

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
