//! `verifik-conformance run` (and no subcommand): the suite against a target, its reports, the plan
//! under a budget, and the baseline's verdict.

use std::process::ExitCode;

use crate::cli::RunArgs;
use verifik_conformance::report;
use verifik_conformance::suite::baseline::{Baseline, Key};
use verifik_conformance::suite::expectations::Expectations;
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
    super::unwritable(
        args.reports.files().chain(&args.har).chain(&args.contract_coverage),
        args.reports.html.iter().chain(&args.repro_dir),
    )
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
    deprecations(&args);
    let expectations = match args.expectations.as_deref().filter(|p| p.exists()).map(Expectations::load).transpose() {
        Ok(e) => e,
        Err(e) => return fail(2, &e),
    };
    if args.expectations.as_deref().is_some_and(|p| !p.exists()) && !args.update_expectations {
        return fail(2, "the --expectations file does not exist: add --update-expectations to create it from this run");
    }
    if expectations.is_some() && args.baseline.is_some() {
        return fail(
            2,
            "--baseline and --expectations both hold known deviations: give one (--baseline is deprecated)",
        );
    }
    let baseline = match args.baseline.as_deref().map(Baseline::load).transpose() {
        Ok(b) => b.map(std::sync::Arc::new),
        Err(e) => return fail(2, &e),
    };
    // The expectations' known deviations are judged as a baseline's are.
    let baseline = baseline.or_else(|| {
        expectations
            .as_ref()
            .map(|e| std::sync::Arc::new(Baseline { format_version: 1, known: e.known_deviations.clone() }))
    });
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
        expectations: match (&expectations, args.update_expectations) {
            (Some(e), _) => Some(std::sync::Arc::new(e.clone())),
            // A first update still needs the answer sets kept.
            (None, true) => Some(std::sync::Arc::new(Expectations::default())),
            (None, false) => None,
        },
        left_out,
        ..run_settings(&args.target, seed, args.cases, args.strict)
    };
    settings.target.har = args.har.is_some();
    settings.keep_answers = args.contract_coverage.is_some();
    if !args.libtest.list {
        // Human lines go to stderr: stdout stays libtest's, pure under `--format json`.
        errln!("verifik-conformance: seed {seed} (replay with --seed {seed}), {} cases per property", args.cases);
    }
    let result = runner::run(spec, settings, &args.libtest);
    if args.libtest.list {
        return ExitCode::SUCCESS;
    }
    let mut code = if result.failed() { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    let outputs = report::Outputs { reports: args.reports.paths(), har: args.har.clone() };
    if let Err((path, e)) = outputs.write(&result, &all) {
        code = fail(2, &format!("cannot write {}: {e}", path.display()));
    }
    if let (true, Some(path)) = (args.update_expectations, &args.expectations)
        && let Err(e) = update_expectations(&args, path, expectations.unwrap_or_default(), &result)
    {
        code = fail(2, &e);
    }
    if let Err(e) = judge_baseline(&args, baseline.as_deref(), &result, &mut code) {
        code = fail(2, &e);
    }
    if let Some(path) = &args.contract_coverage
        && let Err(e) = contract_coverage(&args, &result, path)
    {
        code = fail(2, &e);
    }
    for e in result.events.iter().filter(|e| e.check == Check::ObservedChange) {
        errln!("changed since the observed answers: {}: {}", e.behaviour, e.message.as_deref().unwrap_or_default());
    }
    for e in result.events.iter().filter(|e| e.check == Check::ExpectationChange) {
        let how = if e.verdict == report::Verdict::Fail { "fails" } else { "warns" };
        errln!("unlike the expectations ({how}): {}: {}", e.behaviour, e.message.as_deref().unwrap_or_default());
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
/// Every finding of a run as a known-deviation key, the behaviours that ran, and how many were known.
fn findings_of(
    result: &runner::RunResult,
) -> (std::collections::BTreeSet<Key>, std::collections::BTreeSet<String>, usize) {
    use std::collections::BTreeSet;
    let (mut findings, mut ran, mut known) = (BTreeSet::new(), BTreeSet::new(), 0);
    for r in &result.records {
        let id = r.id();
        // A failing trial's accepted findings still occur: they are counted, and not taken for fixed.
        let (violations, accepted): (&[_], &[_]) = match &r.outcome {
            Outcome::Failed { violations, known } => (violations, known),
            Outcome::Passed { known: k, .. } => (&[], k),
            Outcome::Skipped(_) => continue,
        };
        known += accepted.len();
        ran.insert(id.to_owned());
        // Changes of answer sets are the expectations' own business, not known deviations.
        let all = violations.iter().chain(accepted);
        findings.extend(all.filter(|v| v.check != Check::ExpectationChange).map(|v| Key::of(id, v)));
    }
    (findings, ran, known)
}

pub(crate) fn judge_baseline(
    args: &RunArgs,
    baseline: Option<&Baseline>,
    result: &runner::RunResult,
    code: &mut ExitCode,
) -> Result<(), String> {
    let (findings, ran, known) = findings_of(result);
    if let Some(b) = baseline {
        let today = chrono::Utc::now().date_naive();
        for e in b.expired(today) {
            errln!(
                "error: a known deviation has expired ({}): renew or remove it: {}",
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
        errln!("{known} finding(s) accepted as known deviations");
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

/// `--contract-coverage FILE`: what the target returned of the contract, and what the plan asked for,
/// which the conformant emulator's answers to the same behaviours, seed and cases show (the run's own,
/// when it ran against the conformant embedded emulator).
fn contract_coverage(args: &RunArgs, result: &runner::RunResult, path: &std::path::Path) -> Result<(), String> {
    use verifik_conformance::coverage::contract;
    let ran = runner::ran(&result.records);
    let target = result.sequences.clone().unwrap_or_default();
    let conformant = args.target.base_url.is_none() && args.target.deviations.is_empty() && !args.target.noise.is_set();
    let reference = if conformant {
        target.clone()
    } else {
        let spec = verifik_conformance::embedded::spec_elsewhere(Vec::new(), Default::default());
        let settings = RunSettings { keep_answers: true, ..RunSettings::new(result.seed, result.cases) };
        let only = |b: &verifik_conformance::suite::Behaviour| ran.contains(b.id.0);
        let threads = std::thread::available_parallelism().map_or(1, usize::from);
        runner::run_quietly(spec, settings, &only, threads).sequences.unwrap_or_default()
    };
    let items = contract::contract(&target, &reference, &ran);
    errln!("{}", contract::text(&items).trim_end());
    let json = serde_json::to_string_pretty(&items).map_err(|e| e.to_string())? + "\n";
    verifik_conformance::target::redactor::write_artefact(path, json)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The flags that `--expectations` replaced keep working, each with one line naming what replaces it.
fn deprecations(args: &RunArgs) {
    let old: [(bool, &str, &str); 5] = [
        (args.baseline.is_some(), "--baseline FILE", "--expectations FILE (its known_deviations)"),
        (args.baseline_update.is_some(), "--baseline-update FILE", "--expectations FILE --update-expectations"),
        (args.baseline_strict, "--baseline-strict", "--expectations FILE with --strict"),
        (!args.observed.is_empty(), "--observed DIR", "--expectations FILE (its answer sets)"),
        (args.record_observed.is_some(), "--record-observed DIR", "--expectations FILE --update-expectations"),
    ];
    for (_, flag, instead) in old.into_iter().filter(|(given, _, _)| *given) {
        errln!("warning: {flag} is deprecated and goes in version 0.3 (June 2027): use {instead}");
    }
}

/// `--update-expectations`: this run's answer sets and findings into the file, and what changed in it.
fn update_expectations(
    args: &RunArgs,
    path: &std::path::Path,
    mut e: Expectations,
    result: &runner::RunResult,
) -> Result<(), String> {
    if let Some(n) = args.gate_after {
        e.gate_after = n.max(1);
    }
    if let Some(m) = args.intermittent_expiry {
        e.intermittent_expiry = m.max(1);
    }
    let (findings, _, _) = findings_of(result);
    let known =
        Baseline::updated(Some(&Baseline { format_version: 1, known: e.known_deviations.clone() }), &findings).known;
    let sets = result.answer_sets.clone().unwrap_or_default();
    let u = e.update(&sets, known, &result.started_at, chrono::Utc::now().date_naive());
    e.write(path).map_err(|err| format!("cannot write {}: {err}", path.display()))?;
    errln!(
        "expectations: run {} written to {}: {} added, {} promoted, {} expired, {} removed",
        e.runs,
        path.display(),
        u.added.len(),
        u.promoted.len(),
        u.expired.len(),
        u.removed.len()
    );
    for (what, lines) in
        [("added", &u.added), ("promoted", &u.promoted), ("expired", &u.expired), ("removed", &u.removed)]
    {
        for line in lines {
            errln!("  {what}: {line}");
        }
    }
    Ok(())
}

/// Whether libtest-mimic's filter flags select this behaviour (the same rules it applies).
pub(crate) fn selected(args: &libtest_mimic::Arguments, b: &verifik_conformance::suite::Behaviour) -> bool {
    let name = b.trial_name();
    let matches = |f: &str| if args.exact { name == f } else { name.contains(f) };
    args.filter.as_deref().is_none_or(matches) && !args.skip.iter().any(|s| matches(s))
}
