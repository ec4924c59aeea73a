//! The only module that knows libtest-mimic: the catalogue becomes one trial per behaviour, each trial
//! runs its behaviour with a probe on the shared context, and the outcomes and events are gathered for
//! the reporters once `libtest_mimic::run` returns.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use libtest_mimic::{Arguments, Completion, Conclusion, Failed, Trial};

use super::catalogue;
use super::catalogue::Behaviour;
use super::context::{LazyCtx, TargetSpec};
use super::finding::{Check, Finding};
use super::probe::{Outcome, Probe};
use super::settings::RunSettings;
use crate::suite::event::Event;

/// How one trial ended, for the JUnit and HTML reports.
#[derive(Debug, Clone)]
pub struct TrialRecord {
    pub name: String,
    pub outcome: Outcome,
    pub elapsed: Duration,
}

/// Everything a run produced.
pub struct RunResult {
    pub conclusion: Conclusion,
    pub records: Vec<TrialRecord>,
    pub events: Vec<Event>,
    /// The target as reports name it (no secrets), or why it could not be prepared.
    pub target: String,
    pub requests: u64,
    pub seed: u64,
    /// Why the target was given up, if it was.
    pub down: Option<String>,
    /// When the run started (ISO-8601), and how it judged: the emulator profile or the vendor's.
    pub started_at: String,
    pub profile: Option<super::Profile>,
    /// Generated cases per property.
    pub cases: u32,
    /// Every exchange as a HAR 1.2 document, when the run kept them.
    pub har: Option<serde_json::Value>,
    /// How many observed snapshots were written (`--record-observed`), or why they could not be.
    pub observed_written: Option<Result<usize, String>>,
    /// What the recorded runs compared with taught about noise (`--observed`).
    pub observed_noise: Option<String>,
    /// This run's answer sets, by behaviour and slot, when they were kept.
    pub answer_sets:
        Option<std::collections::HashMap<String, std::collections::BTreeMap<String, Vec<serde_json::Value>>>>,
    /// Every answer in the order sent, by behaviour and slot (`RunSettings::keep_answers`).
    pub sequences: Option<super::observed::Sequences>,
    /// Whether the run's time limit was reached.
    pub out_of_time: bool,
}

impl TrialRecord {
    /// The behaviour's id: the trial name without its family.
    pub fn id(&self) -> &str {
        self.name.split_once("::").map_or(self.name.as_str(), |(_, id)| id)
    }
}

/// The ids of the behaviours that ran (were not skipped) among `records`.
pub fn ran(records: &[TrialRecord]) -> std::collections::BTreeSet<String> {
    records.iter().filter(|r| !matches!(r.outcome, Outcome::Skipped(_))).map(|r| r.id().to_owned()).collect()
}

impl RunResult {
    /// Nothing ran: an empty selection, or every behaviour skipped. Both fail a run.
    pub fn ran_nothing(&self) -> bool {
        self.conclusion.num_passed + self.conclusion.num_failed == 0
    }

    pub fn failed(&self) -> bool {
        self.conclusion.has_failed() || self.ran_nothing()
    }
}

/// Builds the trials for the whole catalogue; nothing touches the target until one of them runs.
pub(crate) fn trials(lazy: &Arc<LazyCtx>, records: &Arc<Mutex<Vec<TrialRecord>>>) -> Vec<Trial> {
    let mut all = catalogue::all();
    // Behaviours that charge nothing run first: against a target with a few handed-in registration
    // tokens, which a 200 spends, the refusals get to use them before the successes spend them.
    all.sort_by_key(|b| (b.cost.charging > 0, b.trial_name()));
    all.into_iter()
        .map(|b| {
            let (lazy, records) = (Arc::clone(lazy), Arc::clone(records));
            let kind = b.strictness.to_string();
            Trial::ignorable_test(b.trial_name(), move || execute(&lazy, &b, &records)).with_kind(kind)
        })
        .collect()
}

fn execute(lazy: &LazyCtx, b: &Behaviour, records: &Mutex<Vec<TrialRecord>>) -> Result<Completion, Failed> {
    let started = Instant::now();
    let outcome = match lazy.get() {
        Err(why) => {
            let f =
                Finding::new(Check::Target, format!("the target could not be prepared: {}", crate::error_chain(why)));
            Outcome::failed(vec![super::Violation::of(&f, None, None)])
        }
        Ok(ctx) => outcome_of(ctx, b),
    };
    records.lock().unwrap_or_else(|p| p.into_inner()).push(TrialRecord {
        name: b.trial_name(),
        outcome: outcome.clone(),
        elapsed: started.elapsed(),
    });
    // libtest-mimic prints these to the terminal itself: they pass the redactor here.
    let redactor = crate::target::redactor::redactor();
    match outcome {
        Outcome::Passed { .. } => Ok(Completion::Completed),
        Outcome::Skipped(reason) => Ok(Completion::ignored_with(redactor.scrub(&reason).into_owned())),
        Outcome::Failed { violations, .. } => {
            let lines: Vec<String> = violations.iter().map(|v| format!("  - {v}")).collect();
            let text = format!("{} violation(s) of {}: {}\n{}", violations.len(), b.id, b.statement, lines.join("\n"));
            Err(redactor.scrub(&text).into_owned().into())
        }
    }
}

/// Runs one behaviour on a built context: what the target cannot do is skipped with the reason, a
/// target given up or out of time fails at once; otherwise the behaviour runs with a fresh probe.
pub fn outcome_of(ctx: &super::Ctx, b: &Behaviour) -> Outcome {
    let target_failure = |message: String| {
        Outcome::failed(vec![super::Violation::of(&Finding::new(Check::Target, message), None, None)])
    };
    if let Some(why) = ctx.settings.left_out.get(&b.trial_name()) {
        ctx.emit_skip(b, ctx.seed_for(b.id), why);
        return Outcome::Skipped(why.clone());
    }
    // A target given up, or a run out of time, ends what is left at once with the one cause.
    if let Some(cause) = ctx.target.down() {
        return target_failure(format!("not run: the target stopped answering: {cause}"));
    }
    if ctx.target.past_deadline() {
        return target_failure("not run: the run's time limit (--max-time) was reached".to_owned());
    }
    if let Some(e) = ctx.provisioner.unreachable().filter(|_| !b.needs.is_empty()) {
        return target_failure(format!("the target did not answer the set-up: {e}"));
    }
    if let Some(missing) = b.needs.iter().find(|c| !ctx.provisioner.has(**c)) {
        let reason = format!("needs {missing:?}, which this target lacks: set-up is {}", ctx.provisioner.describe());
        ctx.emit_skip(b, ctx.seed_for(b.id), &reason);
        return Outcome::Skipped(reason);
    }
    let mut probe = Probe::new(ctx, b);
    let stopped = (b.run)(&mut probe);
    ctx.release(b.id);
    probe.finish(stopped)
}

/// Runs the catalogue against `spec` with libtest-mimic's `args`.
pub fn run(spec: TargetSpec, settings: RunSettings, args: &Arguments) -> RunResult {
    let started_at = crate::api::now_iso();
    let lazy = Arc::new(LazyCtx::new(spec, settings));
    let records = Arc::new(Mutex::new(Vec::new()));
    let conclusion = libtest_mimic::run(args, trials(&lazy, &records));
    finish(&lazy, &records, conclusion, started_at)
}

/// Runs the behaviours `only` selects without printing anything: for `diff`, whose terminal is its own.
/// `threads` behaviours at a time, in the order `trials` runs them.
pub fn run_quietly(
    spec: TargetSpec,
    settings: RunSettings,
    only: &(dyn Fn(&Behaviour) -> bool + Sync),
    threads: usize,
) -> RunResult {
    let started_at = crate::api::now_iso();
    let lazy = Arc::new(LazyCtx::new(spec, settings));
    let records = Arc::new(Mutex::new(Vec::new()));
    let mut all = catalogue::all();
    let before = all.len();
    all.retain(|b| only(b));
    all.sort_by_key(|b| (b.cost.charging > 0, b.trial_name()));
    let conclusion = Mutex::new(Conclusion {
        num_filtered_out: (before - all.len()) as u64,
        num_passed: 0,
        num_failed: 0,
        num_ignored: 0,
        num_measured: 0,
    });
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..threads.max(1) {
            scope.spawn(|| {
                while let Some(b) = all.get(next.fetch_add(1, std::sync::atomic::Ordering::Relaxed)) {
                    let ended = execute(&lazy, b, &records);
                    let mut c = conclusion.lock().unwrap_or_else(|p| p.into_inner());
                    match ended {
                        Ok(Completion::Completed) => c.num_passed += 1,
                        Ok(_) => c.num_ignored += 1,
                        Err(_) => c.num_failed += 1,
                    }
                }
            });
        }
    });
    let conclusion = conclusion.into_inner().unwrap_or_else(|p| p.into_inner());
    finish(&lazy, &records, conclusion, started_at)
}

/// What a run produced, gathered from its context once every behaviour has ended.
fn finish(lazy: &LazyCtx, records: &Mutex<Vec<TrialRecord>>, conclusion: Conclusion, started_at: String) -> RunResult {
    let (seed, cases) = (lazy.settings().seed, lazy.settings().cases);
    let mut records = std::mem::take(&mut *records.lock().unwrap_or_else(|p| p.into_inner()));
    records.sort_by(|a, b| a.name.cmp(&b.name));
    let observed = lazy.built().and_then(|ctx| ctx.ledger.observed.as_ref());
    let observed_written = lazy.settings().record_observed.clone().map(|dir| match observed {
        Some(o) => {
            let ran = ran(&records).into_iter().collect();
            let index = super::observed::Index {
                format_version: super::observed::FORMAT_VERSION,
                seed,
                cases,
                recorded_at: started_at.clone(),
                ran,
            };
            o.write(&dir, index).map_err(|e| format!("cannot write {}: {e}", dir.display()))
        }
        None => Err("the target was never contacted: nothing was observed".to_owned()),
    });
    let profile = lazy.built().map(|ctx| ctx.profile);
    let har = lazy.built().and_then(|ctx| ctx.target.har.as_ref()).map(crate::target::HarLog::document);
    let observed_noise = observed.and_then(|o| o.noise());
    let answer_sets = observed.map(|o| o.sets());
    let sequences = observed.filter(|_| lazy.settings().keep_answers).map(|o| o.sequences());
    let (events, target, requests, down, out_of_time) = match lazy.built() {
        Some(ctx) => (
            ctx.take_events(),
            ctx.description.clone(),
            ctx.target.requests_sent(),
            ctx.target.down().map(str::to_owned),
            ctx.target.past_deadline(),
        ),
        None => (Vec::new(), "(not contacted)".to_owned(), 0, None, false),
    };
    RunResult {
        conclusion,
        records,
        events,
        target,
        requests,
        seed,
        down,
        out_of_time,
        started_at,
        profile,
        cases,
        har,
        observed_written,
        observed_noise,
        answer_sets,
        sequences,
    }
}
