//! The `verifik-conformance` binary: parses the command line and dispatches. Exit codes: 0 conformant,
//! 1 a behaviour failed (or nothing ran), 2 a usage or configuration error.

//!
//! Each command lives in its own module (`run`, `liveness` with `compare` and `history`,
//! `emulate`, `fixtures`, `replay`); this file holds what they share.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;

/// `println!`, `print!` and `eprintln!` through the run's redactor: what a command prints may quote
/// what a target said, and nothing a target said reaches the terminal as it was.
macro_rules! outln {
    ($($t:tt)*) => { ::verifik_conformance::target::redactor::print_out(&format!("{}\n", format_args!($($t)*))) };
}
macro_rules! out {
    ($($t:tt)*) => { ::verifik_conformance::target::redactor::print_out(&format!($($t)*)) };
}
macro_rules! errln {
    ($($t:tt)*) => { ::verifik_conformance::target::redactor::print_err(&format!("{}\n", format_args!($($t)*))) };
}

mod cli;
mod coverage;
mod diff;
mod emulate;
mod fixtures;
mod liveness;
mod replay;
mod run;

use cli::{Cli, Command, TargetArgs};
use verifik_conformance::suite::{RunSettings, TargetSpec};

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The emulator logs each request; the suite has its own output and logs only problems.
    let default_level = if matches!(cli.command, Some(Command::Emulate(_))) { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(|| verifik_conformance::target::redactor::ScrubbedStderr)
        .init();
    match cli.command {
        Some(Command::Emulate(args)) => match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(rt) => rt.block_on(emulate::emulate(args)),
            Err(e) => fail(2, &format!("failed to start the async runtime: {e}")),
        },
        Some(Command::Run(args)) => run::run(*args),
        Some(Command::Liveness(args)) => liveness::liveness(*args),
        Some(Command::Compare(args)) => liveness::compare(&args),
        Some(Command::Fixtures(args)) => fixtures::fixtures(&args),
        Some(Command::Replay(args)) => replay::replay(&args),
        Some(Command::History(args)) => liveness::history(&args),
        Some(Command::Diff(args)) => diff::diff(&args),
        Some(Command::Coverage(args)) => coverage::coverage(&args),
        None => run::run(cli.run),
    }
}

fn fail(code: u8, message: &str) -> ExitCode {
    errln!("error: {message}");
    ExitCode::from(code)
}

/// The first report path that cannot be written: files are opened for appending (nothing is lost),
/// directories created.
fn unwritable<'a>(
    files: impl IntoIterator<Item = &'a std::path::PathBuf>,
    dirs: impl IntoIterator<Item = &'a std::path::PathBuf>,
) -> Option<String> {
    for path in files {
        if let Err(e) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            return Some(format!("cannot write {}: {e}", path.display()));
        }
    }
    for dir in dirs {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return Some(format!("cannot create {}: {e}", dir.display()));
        }
    }
    None
}

/// A seed for a run that was given none; it is printed or recorded so the run can be replayed.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    (nanos as u64) ^ u64::from(std::process::id())
}

/// The target and run settings both commands share, from the flags.
/// The target the flags name: a base URL, or the embedded emulator (its score noise seeded by `seed`).
/// Token files are read here, so that a file that cannot be read is a usage error (exit 2).
pub(crate) fn target_spec(t: &TargetArgs, emulator_profile: bool, seed: u64) -> Result<TargetSpec, String> {
    let (client_token, registration_tokens) = t.tokens()?;
    Ok(match t.base_url.clone() {
        None => verifik_conformance::embedded::spec(t.deviations.clone(), t.noise.score_noise(seed)),
        Some(base_url) => TargetSpec::Url {
            base_url,
            client_token,
            project_flow: t.project_flow.clone(),
            registration_tokens,
            emulator_profile,
        },
    })
}

pub(crate) fn run_settings(t: &TargetArgs, seed: u64, cases: u32, strict: bool) -> RunSettings {
    RunSettings { target: t.options(), strict, ..RunSettings::new(seed, cases) }
}

pub use verifik_conformance::error_chain;
