//! The `verifik-conformance` binary: parses the command line and dispatches. Exit codes: 0 conformant,
//! 1 a behaviour failed (or nothing ran), 2 a usage or configuration error.

use std::io::IsTerminal as _;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;
use verifik_conformance::cli::{Cli, Command, EmulateArgs, RunArgs};
use verifik_conformance::emulator::{Emulator, EmulatorConfig};
use verifik_conformance::report;
use verifik_conformance::suite::{RunSettings, TargetSpec, catalogue, plan, runner};

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
        .with_writer(std::io::stderr)
        .init();
    match cli.command {
        Some(Command::Emulate(args)) => match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
            Ok(rt) => rt.block_on(emulate(args)),
            Err(e) => fail(2, &format!("failed to start the async runtime: {e}")),
        },
        Some(Command::Run(args)) => run(*args),
        None => run(cli.run),
    }
}

#[expect(clippy::print_stderr, reason = "the binary's one place for fatal messages")]
fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

fn usage_problems(args: &RunArgs) -> Option<String> {
    if let Some(url) = &args.base_url {
        match reqwest::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => {}
            _ => return Some(format!("--base-url {url:?} is not an http(s) URL")),
        }
        if !args.deviations.is_empty() {
            return Some("--deviate applies to the embedded emulator only; drop --base-url".into());
        }
    }
    if args.rate.is_some_and(|r| !(r > 0.0 && r.is_finite())) {
        return Some("--rate must be a positive number of requests per second".into());
    }
    if args.cases == 0 {
        return Some("--cases must be at least 1".into());
    }
    for path in [&args.junit, &args.ndjson].into_iter().flatten() {
        if let Err(e) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            return Some(format!("cannot write {}: {e}", path.display()));
        }
    }
    if let Some(dir) = &args.html
        && let Err(e) = std::fs::create_dir_all(dir)
    {
        return Some(format!("cannot create {}: {e}", dir.display()));
    }
    None
}

#[expect(clippy::print_stdout, reason = "listing, plan and run summary are the command's output")]
fn run(args: RunArgs) -> ExitCode {
    if let Some(problem) = usage_problems(&args) {
        return fail(2, &problem);
    }
    let all = catalogue::all();
    let terse = matches!(args.libtest.format, Some(libtest_mimic::FormatSetting::Terse)) || args.libtest.quiet;
    if args.libtest.list && !terse {
        let selected: Vec<_> = all.iter().filter(|b| selected(&args.libtest, b)).collect();
        print!("{}", plan::listing(&selected));
        return ExitCode::SUCCESS;
    }
    if args.dry_run {
        let selected: Vec<_> = all.iter().filter(|b| selected(&args.libtest, b)).collect();
        print!("{}", plan::plan(&selected, args.cases));
        return ExitCode::SUCCESS;
    }
    let seed = args.seed.unwrap_or_else(|| {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        (nanos as u64) ^ u64::from(std::process::id())
    });
    let spec = match args.base_url.clone() {
        None => TargetSpec::Embedded { deviations: args.deviations.clone() },
        Some(base_url) => TargetSpec::Url {
            base_url,
            client_token: args.client_token.clone(),
            project_flow: args.project_flow.clone(),
            emulator_profile: args.emulator_profile,
        },
    };
    let settings = RunSettings {
        seed,
        cases: args.cases,
        max_requests: args.max_requests,
        rate: args.rate,
        timeout: Duration::from_secs(args.timeout.max(1)),
    };
    if !args.libtest.list {
        println!("verifik-conformance: seed {seed} (replay with --seed {seed}), {} cases per property", args.cases);
    }
    let result = runner::run(spec, settings, &args.libtest);
    if args.libtest.list {
        return ExitCode::SUCCESS;
    }
    let mut code = if result.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    let outputs = report::Outputs { junit: args.junit.clone(), ndjson: args.ndjson.clone(), html: args.html.clone() };
    if let Err((path, e)) = outputs.write(&result, &all) {
        code = fail(2, &format!("cannot write {}: {e}", path.display()));
    }
    let warnings = result.events.iter().filter(|e| e.verdict == report::Verdict::Warn).count();
    println!("target: {}; {} requests; {} warning(s) on inferred behaviours", result.target, result.requests, warnings);
    if result.ran_nothing() {
        println!("error: no behaviour ran (an empty selection, or every behaviour skipped): that is a failure");
    }
    code
}

/// Whether libtest-mimic's filter flags select this behaviour (the same rules it applies).
fn selected(args: &libtest_mimic::Arguments, b: &verifik_conformance::suite::Behaviour) -> bool {
    let name = b.trial_name();
    let matches = |f: &str| if args.exact { name == f } else { name.contains(f) };
    args.filter.as_deref().is_none_or(matches) && !args.skip.iter().any(|s| matches(s))
}

#[expect(clippy::print_stdout, reason = "the base URL and a generated token are printed once, by design")]
async fn emulate(args: EmulateArgs) -> ExitCode {
    let config = EmulatorConfig {
        db: args.db,
        client_token: args.client_token,
        provider_states: args.provider_states,
        deviations: args.deviations,
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
