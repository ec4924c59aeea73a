//! `liveness`, `compare` and `history`: recording a target's liveness decisions over the face set,
//! comparing two runs, and trends over many.

use std::process::ExitCode;

use crate::cli::{CompareArgs, LivenessArgs};
use verifik_conformance::liveness;

use super::{error_chain, fail, fresh_seed, run_settings, target_spec};

pub(crate) fn read_run(path: &std::path::Path) -> Result<liveness::record::RunFile, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{} is not a liveness run file: {e}", path.display()))
}

pub(crate) fn liveness(args: LivenessArgs) -> ExitCode {
    if let Some(problem) = args.target.problems() {
        return fail(2, &problem);
    }
    if !(0.0..=1.0).contains(&args.max_error_share) {
        return fail(2, "--max-error-share must be between 0 and 1");
    }
    if args.baseline.is_some() {
        errln!(
            "warning: liveness --baseline FILE is deprecated and goes in version 0.3 (June 2027): use --compare-with FILE"
        );
    }
    let baseline = match args.compare_with.as_deref().or(args.baseline.as_deref()).map(read_run).transpose() {
        Ok(b) => b,
        Err(e) => return fail(2, &e),
    };
    if let Err(e) = std::fs::create_dir_all(&args.out) {
        return fail(2, &format!("cannot create {}: {e}", args.out.display()));
    }
    let target = args.target.base_url.clone().unwrap_or_else(|| "embedded emulator".to_owned());
    let seed = args.seed.unwrap_or_else(fresh_seed);
    let spec = match target_spec(&args.target, false, seed) {
        Ok(spec) => spec,
        Err(e) => return fail(2, &e),
    };
    let settings = run_settings(&args.target, seed, 1, false);
    let ctx = match verifik_conformance::suite::Ctx::new(&spec, &settings) {
        Ok(c) => c,
        Err(e) => return fail(2, &error_chain(&e)),
    };
    let os = if args.os.is_empty() { verifik_conformance::api::Os::ALL.to_vec() } else { args.os.clone() };
    let set = verifik_conformance::faces::build();
    let run = liveness::record::record(&ctx, &set, &os, args.repeat.max(1), target);
    if let Err(e) = liveness::html::write(&args.out, &run) {
        return fail(2, &format!("cannot write {}: {e}", args.out.display()));
    }
    let m = if args.calibration { run.calibration_metrics.as_ref().unwrap_or(&run.metrics) } else { &run.metrics };
    outln!("{} presentations recorded into {}/run.json and index.html", run.samples.len(), args.out.display());
    outln!("figures over the {} half of the face set:", if args.calibration { "calibration" } else { "evaluation" });
    // Intervals are over artefacts (distinct images); presentations of one image are not independent.
    let rate = |r: &liveness::stats::Rate| format!("{}/{} = {:.3} [{:.3}, {:.3}]", r.x, r.n, r.rate, r.low, r.high);
    let people = |key: &str| m.persons.get(key).map_or(String::new(), |p| format!(", {p} person(s)"));
    for (species, r) in &m.apcer_artefacts {
        let presentations = m.apcer.get(species).map_or("n/a".to_owned(), |p| format!("{}/{}", p.x, p.n));
        outln!("APCER {species}: {} artefacts{}; presentations {presentations}", rate(r), people(species));
    }
    if let Some((species, r)) = &m.apcer_max {
        outln!("APCER_max ({species}): {} artefacts", rate(r));
    }
    if let Some(r) = &m.bpcer_artefacts {
        let presentations = m.bpcer.map_or("n/a".to_owned(), |p| format!("{}/{}", p.x, p.n));
        outln!("BPCER: {} artefacts{}; presentations {presentations}", rate(r), people("bona fide"));
    }
    for (name, r) in [("BPNRR", &m.bona_fide_non_response), ("APNRR", &m.attack_non_response)] {
        if let Some(r) = r {
            outln!("{name}: {} presentations not judged (quality failures and errors)", rate(r));
        }
    }
    for (name, at) in [("BPCER20", &m.bpcer20), ("BPCER100", &m.bpcer100)] {
        match at {
            Some(liveness::iso::BpcerAt::Estimated { threshold, bpcer, .. }) => {
                outln!("{name}: {bpcer:.3} at threshold {threshold:.2}");
            }
            Some(liveness::iso::BpcerAt::NotEstimable { needed, fewest, species }) => {
                outln!("{name}: not estimable with {fewest} scored {species} attacks (needs {needed})");
            }
            None => outln!("{name}: n/a"),
        }
    }
    outln!(
        "threshold: {}",
        run.threshold.map_or_else(|| run.threshold_source.clone(), |t| format!("{t} ({})", run.threshold_source))
    );
    let errors = liveness::errors::ErrorSummary::of(&run.samples);
    outln!("{} judged, {} ended in an error ({:.1} %)", errors.judged, errors.errors, 100.0 * errors.share());
    let mut code = ExitCode::SUCCESS;
    if let Some(problem) = errors.problem(args.max_error_share) {
        code = fail(1, &problem);
    }
    if let Some(b) = baseline {
        let c = liveness::compare::compare(&b, &run);
        out!("{}", c.summary());
        if c.verdict == liveness::compare::Verdict::Drifted {
            code = ExitCode::FAILURE;
        }
    }
    code
}

pub(crate) fn compare(args: &CompareArgs) -> ExitCode {
    let (b, c) = match (read_run(&args.baseline), read_run(&args.current)) {
        (Ok(b), Ok(c)) => (b, c),
        (Err(e), _) | (_, Err(e)) => return fail(2, &e),
    };
    if !(args.run_noise.is_finite() && (0.0..=0.5).contains(&args.run_noise)) {
        return fail(2, &format!("--run-noise {} is not between 0 and 0.5", args.run_noise));
    }
    let options = liveness::compare::Options { run_noise: args.run_noise, ..Default::default() };
    let cmp = liveness::compare::compare_with(&b, &c, options);
    out!("{}", cmp.summary());
    if cmp.verdict == liveness::compare::Verdict::Drifted { ExitCode::FAILURE } else { ExitCode::SUCCESS }
}

pub(crate) fn history(args: &crate::cli::HistoryArgs) -> ExitCode {
    if args.reference == 0 {
        return fail(2, "--reference must be at least 1");
    }
    if args.rebase_at == 0 {
        return fail(2, "--rebase-at counts runs from 1");
    }
    if !(args.false_alarm_rate.is_finite() && (0.0001..=0.5).contains(&args.false_alarm_rate)) {
        return fail(2, &format!("--false-alarm-rate {} is not between 0.0001 and 0.5", args.false_alarm_rate));
    }
    let options = verifik_conformance::history::Options {
        reference: args.reference,
        reference_start: args.rebase_at - 1,
        family_alpha: args.false_alarm_rate,
    };
    let h = match verifik_conformance::history::build(&args.runs, options) {
        Ok(h) => h,
        Err(e) => return fail(2, &e),
    };
    if let Err(e) = verifik_conformance::history::write(&args.out, &h) {
        return fail(2, &format!("cannot write {}: {e}", args.out.display()));
    }
    outln!(
        "{} liveness and {} conformance run(s) -> {}/index.html and history.json",
        h.liveness_runs.len(),
        h.conformance_runs.len(),
        args.out.display()
    );
    for f in &h.flips {
        outln!("run {}: {} {} -> {}", f.run + 1, f.behaviour, f.from, f.to);
    }
    for (class, t) in &h.classes {
        for i in &t.out_of_band {
            outln!("run {}: the mean score of {class} left its band", i + 1);
        }
    }
    for a in &h.alarms {
        outln!("alarm: {a}");
    }
    if !h.classes.is_empty() {
        outln!("{}", h.guarantee);
    }
    if h.alarms.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
