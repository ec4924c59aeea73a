//! `verifik-conformance emulate`: the emulator served until interrupted.

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::EmulateArgs;
use verifik_conformance::emulator::{Emulator, EmulatorConfig};

use super::{error_chain, fail, fresh_seed};

pub(crate) async fn emulate(args: EmulateArgs) -> ExitCode {
    if let Some(problem) = args.noise.problems() {
        return fail(2, &problem);
    }
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let config = EmulatorConfig {
        score_noise: args.noise.score_noise(seed),
        db: args.db,
        client_token: args.client_token,
        provider_states: args.provider_states,
        deviations: args.deviations,
        validation_limit: args.validation_limit,
        seed_credits: args.seed_credits,
        ..EmulatorConfig::default()
    };
    let emulator = match Emulator::new(config) {
        Ok(e) => e,
        Err(e) => return fail(2, &error_chain(&e)),
    };
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(l) => l,
        Err(e) => return fail(2, &format!("failed to listen on {}: {e}", args.listen)),
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_else(|_| args.listen.to_string());
    // Written, not printed: a closed stdout (a supervisor that read the first line and left) must not
    // take the server down, and `println!` panics on a write error.
    let mut out = std::io::stdout();
    let _ = writeln!(out, "verifik-conformance emulator listening on http://{addr}");
    if emulator.seeded.token_was_generated {
        let _ = writeln!(out, "client token (shown once): {}", emulator.seeded.client_token);
    }
    if args.provider_states {
        let _ = writeln!(out, "provider states: POST http://{addr}/__conformance/provider-states");
    }
    if args.noise.is_set() {
        let n = &args.noise;
        let (sd, run_sd, shift) = (n.liveness_noise, n.liveness_run_noise, n.liveness_shift);
        let _ = writeln!(out, "liveness scores: shift {shift}, noise sd {sd}, run offset sd {run_sd}, seed {seed}");
    }
    let _ = out.flush();
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match emulator.serve(listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("the server stopped: {e}")),
    }
}
