//! The README's main job inside `cargo test`: the whole catalogue against an embedded emulator, with
//! a fixed seed (override with VERIFIK_SEED) so a failure replays. libtest flags pass through, so
//! `cargo test --test conformance -- auth::` runs one family.

use std::process::ExitCode;

use verifik_conformance::suite::{RunSettings, runner};

fn main() -> ExitCode {
    let args = libtest_mimic::Arguments::from_args();
    let seed = std::env::var("VERIFIK_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20_261_126);
    let cases = std::env::var("VERIFIK_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(32);
    let settings = RunSettings::new(seed, cases);
    let result = runner::run(verifik_conformance::embedded::spec(Vec::new(), Default::default()), settings, &args);
    if args.list {
        return ExitCode::SUCCESS;
    }
    // An empty selection is a failure for the CLI; under `cargo test` a filter meant for other test
    // binaries legitimately selects nothing here.
    if result.conclusion.has_failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}
