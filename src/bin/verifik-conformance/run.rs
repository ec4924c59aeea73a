//! `verifik-conformance run` (and no subcommand): the suite against a target, its reports, the plan
//! under a budget, and the baseline's verdict.

use std::process::ExitCode;

use crate::cli::RunArgs;
use verifik_conformance::report;
use verifik_conformance::suite::baseline::{Baseline, Key};
use verifik_conformance::suite::finding::Check;
use verifik_conformance::suite::{Outcome, RunSettings, catalogue, plan, runner};

use super::{fail, fresh_seed, run_settings, target_spec};

pub(crate) fn usage_problems(args: &RunArgs) -> Option<String> {
    if let Some(problem) = args.target.problems() {
        return Some(problem);
    }
    if args.cases == 0 {
        return Some("--cases must be at least 1".into());
    }
    if args.accept_snapshots && (args.target.base_url.is_some() || !args.target.deviations.is_empty()) {
        return Some("--accept-snapshots rewrites snapshots/ from the conformant embedded emulator: drop --base-url and --deviate".into());
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

pub(crate) fn run(args: RunArgs) -> ExitCode {
    if let Some(problem) = usage_problems(&args) {
        return fail(2, &problem);
    }
    let all = catalogue::all();
    let terse = matches!(args.libtest.format, Some(libtest_mimic::FormatSetting::Terse)) || args.libtest.quiet;
    if args.libtest.list && !terse {
        let selected: Vec<_> = all.iter().filter(|b| selected(&args.libtest, b)).collect();
        out!("{}", plan::listing(&selected));
        return ExitCode::SUCCESS;
    }
    let limits = plan::Limits {
        credits: args.budget_credits,
        validations: args
            .budget_validations
            .or(args.target.is_remote().then_some(crate::cli::DEFAULT_REMOTE_VALIDATIONS)),
    };
    if args.dry_run {
        let selected: Vec<_> = all.iter().filter(|b| selected(&args.libtest, b)).collect();
        out!("{}", plan::plan(&selected, args.cases, limits));
        return ExitCode::SUCCESS;
    }
    // The budget goes to the behaviours this run selected, as the dry run plans it.
    let selected: Vec<_> = all.iter().filter(|b| selected(&args.libtest, b)).collect();
    let left_out = plan::choose(&selected, args.cases, limits)
        .left_out
        .into_iter()
        .map(|(b, why)| (b.trial_name(), why))
        .collect();
    // Observed answers compare like with like: the run takes the recorded run's seed unless told.
    let indexes = match args
        .observed
        .iter()
        .map(|d| verifik_conformance::suite::observed::index(d))
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(i) => i,
        Err(e) => return fail(2, &super::error_chain(&e)),
    };
    if indexes.windows(2).any(|w| (w[0].seed, w[0].cases) != (w[1].seed, w[1].cases)) {
        return fail(
            2,
            "the --observed directories were recorded with different --seed or --cases: they answer different cases",
        );
    }
    let recorded = indexes.first();
    let seed = args.seed.or(recorded.map(|i| i.seed)).unwrap_or_else(fresh_seed);
    if let Some(i) = recorded.filter(|i| i.cases != args.cases || i.seed != seed) {
        errln!(
            "note: the observed answers were recorded with --seed {} --cases {}; this run's cases differ, so its generated answers will too",
            i.seed,
            i.cases
        );
    }
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b.map(std::sync::Arc::new),
        Err(e) => return fail(2, &e),
    };
    let spec = match target_spec(&args.target, args.emulator_profile, seed) {
        Ok(spec) => spec,
        Err(e) => return fail(2, &e),
    };
    let mut settings = RunSettings {
        baseline: baseline.clone(),
        repro_dir: args.repro_dir.clone(),
        observed: args.observed.clone(),
        record_observed: args.record_observed.clone(),
        accept_snapshots: args.accept_snapshots,
        left_out,
        ..run_settings(&args.target, seed, args.cases, args.strict)
    };
    settings.target.har = args.har.is_some();
    if !args.libtest.list {
        // Human lines go to stderr: stdout stays libtest's, pure under `--format json`.
        errln!("verifik-conformance: seed {seed} (replay with --seed {seed}), {} cases per property", args.cases);
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
    for e in result.events.iter().filter(|e| e.check == Check::ObservedChange) {
        errln!("changed since the observed answers: {}: {}", e.behaviour, e.message.as_deref().unwrap_or_default());
    }
    if let Some(noise) = &result.observed_noise {
        errln!("{noise}");
    }
    match &result.observed_written {
        Some(Ok(n)) => errln!("recorded the observed answers of {n} behaviour(s)"),
        Some(Err(e)) => code = fail(2, e),
        None => {}
    }
    let warnings = result.events.iter().filter(|e| e.verdict == report::Verdict::Warn).count();
    errln!("target: {}; {} requests; {} warning(s)", result.target, result.requests, warnings);
    if let Some(cause) = &result.down {
        errln!("error: the target stopped answering, so what was left was not run: {cause}");
    } else if result.out_of_time {
        errln!("error: the run's time limit (--max-time) was reached; what was left was not run");
    }
    if result.ran_nothing() {
        errln!("error: no behaviour ran (an empty selection, or every behaviour skipped): that is a failure");
    }
    code
}

/// The baseline's verdict on a run: expired entries fail it, entries that no longer occur are to be
/// pruned (and fail it under `--baseline-strict`); `--baseline-update` writes the run's findings.
pub(crate) fn judge_baseline(
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
        findings.extend(violations.iter().map(|v| Key::of(id, v)));
    }
    if let Some(b) = baseline {
        let today = chrono::Utc::now().date_naive();
        for e in b.expired(today) {
            errln!(
                "error: a baseline entry has expired ({}): renew or remove it: {}",
                e.expires.as_deref().unwrap_or_default(),
                e.describe()
            );
            *code = ExitCode::FAILURE;
        }
        for e in b.fixed(&findings, &ran) {
            errln!("fixed, prune it: {}", e.describe());
            if args.baseline_strict {
                *code = ExitCode::FAILURE;
            }
        }
        errln!("{known} known finding(s) accepted by the baseline");
    }
    if let Some(path) = &args.baseline_update {
        let updated = Baseline::updated(baseline, &findings);
        let text = serde_json::to_string_pretty(&updated).map_err(|e| e.to_string())?;
        verifik_conformance::target::redactor::write_artefact(path, text + "\n")
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        errln!("wrote {} finding(s) to {}", updated.known.len(), path.display());
    }
    Ok(())
}

/// Whether libtest-mimic's filter flags select this behaviour (the same rules it applies).
pub(crate) fn selected(args: &libtest_mimic::Arguments, b: &verifik_conformance::suite::Behaviour) -> bool {
    let name = b.trial_name();
    let matches = |f: &str| if args.exact { name == f } else { name.contains(f) };
    args.filter.as_deref().is_none_or(matches) && !args.skip.iter().any(|s| matches(s))
}
