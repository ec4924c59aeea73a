//! The `verifik-conformance` binary: parses the command line and dispatches. Exit codes: 0 success,
//! 1 a check failed, 2 a usage or configuration error.

use std::io::IsTerminal as _;
use std::process::ExitCode;

use clap::Parser as _;
use verifik_conformance::cli::{Cli, Command, EmulateArgs};
use verifik_conformance::emulator::{Emulator, EmulatorConfig};
use verifik_conformance::selfcheck;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // The emulator logs each request; the other commands have their own report and log only problems.
    let default_level = if matches!(cli.command, Some(Command::Emulate(_))) { "info" } else { "warn" };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default_level)),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return fail(2, &format!("failed to start the async runtime: {e}")),
    };
    match cli.command.unwrap_or(Command::SelfCheck) {
        Command::Emulate(args) => runtime.block_on(emulate(args)),
        Command::SelfCheck => runtime.block_on(selfcheck::run()),
    }
}

#[expect(clippy::print_stderr, reason = "the binary's one place for fatal messages")]
fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

#[expect(clippy::print_stdout, reason = "the base URL and a generated token are printed once, by design")]
async fn emulate(args: EmulateArgs) -> ExitCode {
    let config = EmulatorConfig {
        db: args.db,
        client_token: args.client_token,
        provider_states: args.provider_states,
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
    println!("verifik-conformance emulator listening on http://{addr}");
    if emulator.seeded.token_was_generated {
        println!("client token (shown once): {}", emulator.seeded.client_token);
    }
    if args.provider_states {
        println!("provider states: POST http://{addr}/__conformance/provider-states");
    }
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    match emulator.serve(listener, shutdown).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(1, &format!("the server stopped: {e}")),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
