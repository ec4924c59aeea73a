//! `verifik-conformance replay RUN.ndjson`: each behaviour that failed in a recorded run, run again
//! with the run's seed and number of cases (so the same cases, shrunk input included, are generated)
//! and a fresh set-up, against whatever the target flags name.

use std::process::ExitCode;

use crate::cli::ReplayArgs;
use verifik_conformance::report::ndjson::{Header, Record};
use verifik_conformance::suite::event::Verdict;
use verifik_conformance::suite::finding::Check;
use verifik_conformance::suite::{Outcome, Profile, RunSettings, catalogue, runner};

use super::{error_chain, fail, run_settings, target_spec};

/// What the run file says: its seed, its cases, its profile and the behaviours that failed.
struct Recorded {
    seed: u64,
    cases: u32,
    emulator_profile: bool,
    failed: Vec<String>,
}

fn read(path: &std::path::Path) -> Result<Recorded, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut header: Option<Header> = None;
    let mut failed: Vec<String> = Vec::new();
    for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let record: Record = serde_json::from_str(line)
            .map_err(|e| format!("{} line {} is not a record of a run: {e}", path.display(), n + 1))?;
        match record {
            Record::Header(h) if h.record == "header" => header = Some(h),
            Record::Header(_) => {}
            Record::Event(e) if e.verdict == Verdict::Fail && !failed.contains(&e.behaviour) => {
                failed.push(e.behaviour);
            }
            Record::Event(_) => {}
        }
    }
    let Some(h) = header else {
        return Err(format!("{} has no header record: it was written before replays were possible", path.display()));
    };
    Ok(Recorded { seed: h.seed, cases: h.cases, emulator_profile: h.profile == Some(Profile::Emulator), failed })
}

pub fn replay(args: &ReplayArgs) -> ExitCode {
    if let Some(problem) = args.target.problems() {
        return fail(2, &problem);
    }
    let recorded = match read(&args.run) {
        Ok(r) => r,
        Err(e) => return fail(2, &e),
    };
    let all = catalogue::all();
    if let Some(unknown) = args.only.iter().find(|id| !all.iter().any(|b| b.id.0 == id.as_str())) {
        return fail(2, &format!("--only {unknown}: no behaviour has that id"));
    }
    let chosen: Vec<_> = recorded
        .failed
        .iter()
        .filter(|id| args.only.is_empty() || args.only.contains(id))
        .filter_map(|id| all.iter().find(|b| b.id.0 == id.as_str()))
        .collect();
    if chosen.is_empty() {
        outln!(
            "nothing to replay: no failing behaviour{} in {}",
            if args.only.is_empty() { "" } else { " of --only" },
            args.run.display()
        );
        return ExitCode::SUCCESS;
    }
    let spec = match target_spec(&args.target, args.emulator_profile || recorded.emulator_profile, recorded.seed) {
        Ok(spec) => spec,
        Err(e) => return fail(2, &e),
    };
    let settings: RunSettings = run_settings(&args.target, recorded.seed, recorded.cases, false);
    let ctx = match verifik_conformance::suite::Ctx::new(&spec, &settings) {
        Ok(c) => c,
        Err(e) => return fail(2, &error_chain(&e)),
    };
    outln!(
        "replaying {} behaviour(s) of {} (seed {}, {} cases) against {}",
        chosen.len(),
        args.run.display(),
        recorded.seed,
        recorded.cases,
        ctx.description
    );
    let (mut fixed, mut still, mut errors) = (0, 0, 0);
    for b in chosen {
        match runner::outcome_of(&ctx, b) {
            Outcome::Passed { .. } => {
                fixed += 1;
                outln!("FIXED          {}", b.id);
            }
            Outcome::Failed { violations: v, .. }
                if v.iter().all(|v| matches!(v.check, Check::Run | Check::Target)) =>
            {
                errors += 1;
                outln!("ERROR          {}: {}", b.id, v.first().map(|v| v.message.as_str()).unwrap_or_default());
            }
            Outcome::Failed { violations: v, .. } => {
                still += 1;
                outln!("STILL FAILING  {}", b.id);
                for v in &v {
                    outln!("  - {v}");
                }
            }
            Outcome::Skipped(why) => {
                errors += 1;
                outln!("ERROR          {}: could not run here: {why}", b.id);
            }
        }
    }
    outln!("{fixed} fixed, {still} still failing, {errors} could not be replayed");
    if still + errors == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
