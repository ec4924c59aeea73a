//! The `verifik-conformance` binary: parses the command line and dispatches. Exit codes: 0 conformant,
//! 1 a behaviour failed (or nothing ran), 2 a usage or configuration error.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser as _;

mod fixtures_command;
mod replay_command;
use verifik_conformance::cli::{Cli, Command, CompareArgs, EmulateArgs, LivenessArgs, RunArgs, TargetArgs};
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::emulator::{Emulator, EmulatorConfig};
use verifik_conformance::suite::baseline::{Baseline, Finding};
use verifik_conformance::suite::{Outcome, RunSettings, TargetSpec, catalogue, plan, runner};
use verifik_conformance::{liveness, report};

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
        Some(Command::Liveness(args)) => liveness(*args),
        Some(Command::Compare(args)) => compare(&args),
        Some(Command::Fixtures(args)) => fixtures_command::fixtures(&args),
        Some(Command::Replay(args)) => replay_command::replay(&args),
        Some(Command::History(args)) => history(&args),
        None => run(cli.run),
    }
}

#[expect(clippy::print_stderr, reason = "the binary's one place for fatal messages")]
fn fail(code: u8, message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(code)
}

/// A seed for a run that was given none; it is printed or recorded so the run can be replayed.
fn fresh_seed() -> u64 {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
    (nanos as u64) ^ u64::from(std::process::id())
}

/// The target and run settings both commands share, from the flags.
pub(crate) fn target_spec(t: &TargetArgs, emulator_profile: bool) -> TargetSpec {
    match t.base_url.clone() {
        None => TargetSpec::Embedded { deviations: t.deviations.clone() },
        Some(base_url) => TargetSpec::Url {
            base_url,
            client_token: t.client_token.clone(),
            project_flow: t.project_flow.clone(),
            registration_tokens: t.registration_tokens.clone(),
            emulator_profile,
        },
    }
}

pub(crate) fn run_settings(t: &TargetArgs, seed: u64, cases: u32, strict: bool) -> RunSettings {
    RunSettings {
        embedded_noise: ScoreNoise { sd: t.liveness_noise, shift: t.liveness_shift, seed },
        max_requests: t.max_requests,
        rate: t.rate,
        timeout: Duration::from_secs(t.timeout),
        strict,
        max_time: t.max_time(),
        max_failures: t.max_failures,
        ..RunSettings::new(seed, cases)
    }
}

fn usage_problems(args: &RunArgs) -> Option<String> {
    if let Some(problem) = args.target.problems() {
        return Some(problem);
    }
    if args.cases == 0 {
        return Some("--cases must be at least 1".into());
    }
    for path in [&args.junit, &args.ndjson, &args.har].into_iter().flatten() {
        if let Err(e) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
            return Some(format!("cannot write {}: {e}", path.display()));
        }
    }
    for dir in [&args.html, &args.repro_dir].into_iter().flatten() {
        if let Err(e) = std::fs::create_dir_all(dir) {
            return Some(format!("cannot create {}: {e}", dir.display()));
        }
    }
    None
}

#[expect(clippy::print_stdout, reason = "listing and plan are the command's output")]
#[expect(clippy::print_stderr, reason = "the seed and the run summary are human lines, kept off stdout")]
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
    let limits = plan::Limits {
        credits: args.budget_credits,
        validations: args
            .budget_validations
            .or(args.target.is_remote().then_some(verifik_conformance::cli::DEFAULT_REMOTE_VALIDATIONS)),
    };
    if args.dry_run {
        let selected: Vec<_> = all.iter().filter(|b| selected(&args.libtest, b)).collect();
        print!("{}", plan::plan(&selected, args.cases, limits));
        return ExitCode::SUCCESS;
    }
    let everything: Vec<_> = all.iter().collect();
    let left_out = plan::choose(&everything, args.cases, limits)
        .left_out
        .into_iter()
        .map(|(b, why)| (b.trial_name(), why))
        .collect();
    // Observed answers compare like with like: the run takes the recorded run's seed unless told.
    let recorded = match args.observed.as_deref().map(verifik_conformance::suite::observed::index).transpose() {
        Ok(i) => i,
        Err(e) => return fail(2, &e),
    };
    let seed = args.seed.or(recorded.map(|i| i.seed)).unwrap_or_else(fresh_seed);
    if let Some(i) = recorded.filter(|i| i.cases != args.cases || i.seed != seed) {
        eprintln!(
            "note: the observed answers were recorded with --seed {} --cases {}; this run's cases differ, so its generated answers will too",
            i.seed, i.cases
        );
    }
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b.map(std::sync::Arc::new),
        Err(e) => return fail(2, &e),
    };
    let spec = target_spec(&args.target, args.emulator_profile);
    let settings = RunSettings {
        baseline: baseline.clone(),
        repro_dir: args.repro_dir.clone(),
        har: args.har.is_some(),
        observed: args.observed.clone(),
        record_observed: args.record_observed.clone(),
        left_out,
        ..run_settings(&args.target, seed, args.cases, args.strict)
    };
    if !args.libtest.list {
        // Human lines go to stderr: stdout stays libtest's, pure under `--format json`.
        eprintln!("verifik-conformance: seed {seed} (replay with --seed {seed}), {} cases per property", args.cases);
    }
    let result = runner::run(spec, settings, &args.libtest);
    if args.libtest.list {
        return ExitCode::SUCCESS;
    }
    let mut code = if result.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    let outputs = report::Outputs {
        junit: args.junit.clone(),
        ndjson: args.ndjson.clone(),
        html: args.html.clone(),
        har: args.har.clone(),
    };
    if let Err((path, e)) = outputs.write(&result, &all) {
        code = fail(2, &format!("cannot write {}: {e}", path.display()));
    }
    if let Err(e) = judge_baseline(&args, baseline.as_deref(), &result, &mut code) {
        code = fail(2, &e);
    }
    for e in result.events.iter().filter(|e| e.check == "observed-change") {
        eprintln!("changed since the observed answers: {}: {}", e.behaviour, e.message.as_deref().unwrap_or_default());
    }
    match &result.observed_written {
        Some(Ok(n)) => eprintln!("recorded the observed answers of {n} behaviour(s)"),
        Some(Err(e)) => code = fail(2, e),
        None => {}
    }
    let warnings = result.events.iter().filter(|e| e.verdict == report::Verdict::Warn).count();
    eprintln!("target: {}; {} requests; {} warning(s)", result.target, result.requests, warnings);
    if let Some(cause) = &result.down {
        eprintln!("error: the target stopped answering, so what was left was not run: {cause}");
    } else if result.out_of_time {
        eprintln!("error: the run's time limit (--max-time) was reached; what was left was not run");
    }
    if result.ran_nothing() {
        eprintln!("error: no behaviour ran (an empty selection, or every behaviour skipped): that is a failure");
    }
    code
}

/// The baseline's verdict on a run: expired entries fail it, entries that no longer occur are to be
/// pruned (and fail it under `--baseline-strict`); `--baseline-update` writes the run's findings.
#[expect(clippy::print_stderr, reason = "the baseline's verdict is human output")]
fn judge_baseline(
    args: &RunArgs,
    baseline: Option<&Baseline>,
    result: &runner::RunResult,
    code: &mut ExitCode,
) -> Result<(), String> {
    use std::collections::BTreeSet;
    let (mut findings, mut ran, mut known) = (BTreeSet::new(), BTreeSet::new(), 0);
    for r in &result.records {
        let id = r.name.split_once("::").map_or(r.name.as_str(), |(_, id)| id);
        let violations = match &r.outcome {
            Outcome::Failed(v) => v,
            Outcome::Passed { known: k, .. } => {
                known += k.len();
                k
            }
            Outcome::Skipped(_) => continue,
        };
        ran.insert(id.to_owned());
        findings.extend(violations.iter().map(|v| Finding::of(id, v)));
    }
    if let Some(b) = baseline {
        let today = chrono::Utc::now().date_naive();
        for e in b.expired(today) {
            eprintln!(
                "error: a baseline entry has expired ({}): renew or remove it: {}",
                e.expires.as_deref().unwrap_or_default(),
                e.describe()
            );
            *code = ExitCode::FAILURE;
        }
        for e in b.fixed(&findings, &ran) {
            eprintln!("fixed, prune it: {}", e.describe());
            if args.baseline_strict {
                *code = ExitCode::FAILURE;
            }
        }
        eprintln!("{known} known finding(s) accepted by the baseline");
    }
    if let Some(path) = &args.baseline_update {
        let updated = Baseline::updated(baseline, &findings);
        let text = serde_json::to_string_pretty(&updated).map_err(|e| e.to_string())?;
        std::fs::write(path, text + "\n").map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        eprintln!("wrote {} finding(s) to {}", updated.known.len(), path.display());
    }
    Ok(())
}

#[expect(clippy::print_stdout, reason = "the alarms are the command's output")]
fn history(args: &verifik_conformance::cli::HistoryArgs) -> ExitCode {
    if args.reference == 0 {
        return fail(2, "--reference must be at least 1");
    }
    let h = match verifik_conformance::history::build(&args.runs, args.reference) {
        Ok(h) => h,
        Err(e) => return fail(2, &e),
    };
    if let Err(e) = verifik_conformance::history::write(&args.out, &h) {
        return fail(2, &format!("cannot write {}: {e}", args.out.display()));
    }
    println!(
        "{} liveness and {} conformance run(s) -> {}/index.html and history.json",
        h.liveness_runs.len(),
        h.conformance_runs.len(),
        args.out.display()
    );
    for f in &h.flips {
        println!("run {}: {} {} -> {}", f.run + 1, f.behaviour, f.from, f.to);
    }
    for (class, t) in &h.classes {
        for i in &t.out_of_band {
            println!("run {}: the median of {class} left its band", i + 1);
        }
    }
    for a in &h.alarms {
        println!("alarm: {a}");
    }
    if h.alarms.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}

fn read_run(path: &std::path::Path) -> Result<liveness::record::RunFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a liveness run file: {e}", path.display()))
}

#[expect(clippy::print_stdout, reason = "the run summary and comparison are the command's output")]
fn liveness(args: LivenessArgs) -> ExitCode {
    if let Some(problem) = args.target.problems() {
        return fail(2, &problem);
    }
    if !(0.0..=1.0).contains(&args.max_error_share) {
        return fail(2, "--max-error-share must be between 0 and 1");
    }
    let baseline = match args.baseline.as_deref().map(read_run).transpose() {
        Ok(b) => b,
        Err(e) => return fail(2, &e),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return fail(2, &format!("cannot create {}: {e}", args.out.display()));
    }
    let spec = target_spec(&args.target, false);
    let target = args.target.base_url.clone().unwrap_or_else(|| "embedded emulator".to_owned());
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let settings = run_settings(&args.target, seed, 1, false);
    let ctx = match verifik_conformance::suite::Ctx::new(&spec, &settings) {
        Ok(c) => c,
        Err(e) => return fail(2, &e),
    };
    let os = if args.os.is_empty() { verifik_conformance::api::Os::ALL.to_vec() } else { args.os.clone() };
    let set = verifik_conformance::faces::build();
    let run = liveness::record::record(&ctx, &set, &os, args.repeat.max(1), target);
    if let Err(e) = liveness::html::write(&args.out, &run) {
        return fail(2, &format!("cannot write {}: {e}", args.out.display()));
    }
    let m = if args.calibration { run.calibration_metrics.as_ref().unwrap_or(&run.metrics) } else { &run.metrics };
    println!("{} presentations recorded into {}/run.json and index.html", run.samples.len(), args.out.display());
    println!("figures over the {} half of the face set:", if args.calibration { "calibration" } else { "evaluation" });
    for (species, r) in &m.apcer {
        println!("APCER {species}: {}/{} = {:.3} [{:.3}, {:.3}]", r.x, r.n, r.rate, r.low, r.high);
    }
    if let Some((species, r)) = &m.apcer_max {
        println!("APCER_max ({species}): {}/{} = {:.3} [{:.3}, {:.3}]", r.x, r.n, r.rate, r.low, r.high);
    }
    if let Some(r) = &m.bpcer {
        println!("BPCER: {}/{} = {:.3} [{:.3}, {:.3}]", r.x, r.n, r.rate, r.low, r.high);
    }
    for (name, at) in [("BPCER20", &m.bpcer20), ("BPCER100", &m.bpcer100)] {
        match at {
            Some(liveness::iso::BpcerAt::Estimated { threshold, bpcer, .. }) => {
                println!("{name}: {bpcer:.3} at threshold {threshold:.2}");
            }
            Some(liveness::iso::BpcerAt::NotEstimable { needed, fewest, species }) => {
                println!("{name}: not estimable with {fewest} scored {species} attacks (needs {needed})");
            }
            None => println!("{name}: n/a"),
        }
    }
    println!(
        "threshold: {}",
        run.threshold.map_or_else(|| run.threshold_source.clone(), |t| format!("{t} ({})", run.threshold_source))
    );
    let errors = liveness::record::ErrorSummary::of(&run.samples);
    println!("{} judged, {} ended in an error ({:.1} %)", errors.judged, errors.errors, 100.0 * errors.share());
    let mut code = ExitCode::SUCCESS;
    if let Some(problem) = errors.problem(args.max_error_share) {
        code = fail(1, &problem);
    }
    if let Some(b) = baseline {
        let c = liveness::compare::compare(&b, &run);
        print!("{}", c.summary());
        if c.verdict == liveness::compare::Verdict::Drifted {
            code = ExitCode::FAILURE;
        }
    }
    code
}

#[expect(clippy::print_stdout, reason = "the comparison is the command's output")]
fn compare(args: &CompareArgs) -> ExitCode {
    let (b, c) = match (read_run(&args.baseline), read_run(&args.current)) {
        (Ok(b), Ok(c)) => (b, c),
        (Err(e), _) | (_, Err(e)) => return fail(2, &e),
    };
    let cmp = liveness::compare::compare(&b, &c);
    print!("{}", cmp.summary());
    if cmp.verdict == liveness::compare::Verdict::Drifted { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

/// Whether libtest-mimic's filter flags select this behaviour (the same rules it applies).
fn selected(args: &libtest_mimic::Arguments, b: &verifik_conformance::suite::Behaviour) -> bool {
    let name = b.trial_name();
    let matches = |f: &str| if args.exact { name == f } else { name.contains(f) };
    args.filter.as_deref().is_none_or(matches) && !args.skip.iter().any(|s| matches(s))
}

async fn emulate(args: EmulateArgs) -> ExitCode {
    if let Some(problem) = verifik_conformance::cli::noise_problems(args.liveness_noise, args.liveness_shift) {
        return fail(2, &problem);
    }
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let config = EmulatorConfig {
        score_noise: ScoreNoise { sd: args.liveness_noise, shift: args.liveness_shift, seed },
        db: args.db,
        client_token: args.client_token,
        provider_states: args.provider_states,
        deviations: args.deviations,
        validation_limit: args.validation_limit,
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
    if args.liveness_noise != 0.0 || args.liveness_shift != 0.0 {
        let (sd, shift) = (args.liveness_noise, args.liveness_shift);
        let _ = writeln!(out, "liveness scores: shift {shift}, noise sd {sd}, seed {seed}");
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
