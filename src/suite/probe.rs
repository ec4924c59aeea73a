//! `Probe`: what a behaviour's code holds while it runs. It sends requests through the target,
//! applies the generic oracles to every response of the central endpoint, records each check as an
//! event, and turns the findings into the trial's outcome.

use super::observed::Slot;
use serde_json::Value;

use super::behaviour::{Kind, Meta, Strictness};
use super::context::Ctx;
use super::finding::{Check, Finding, Violation};
use super::settings::Profile;
use crate::api::Missing;
use crate::suite::event::{Event, Verdict};
use crate::target::untrusted::{Redacted, Untrusted};
use crate::target::{Call, Exchange, ProvisionError, Provisioned, StateParams, TargetError};

/// Why a behaviour stopped before its end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// It cannot run on this target; the reason is reported.
    Skip(String),
    /// The target could not be talked to (connection error, timeout) or set up.
    Fail(String),
}

/// How a trial ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Every check held, or failed only as the baseline's known deviations (`known`).
    Passed {
        warnings: Vec<Violation>,
        known: Vec<Violation>,
    },
    /// Some check failed that the baseline does not accept (`violations`); `known` holds the accepted
    /// ones of the same trial, so that a known deviation is not taken for fixed when something else fails.
    Failed {
        violations: Vec<Violation>,
        known: Vec<Violation>,
    },
    Skipped(String),
}

impl Outcome {
    /// A failure with nothing accepted beside it.
    pub(crate) fn failed(violations: Vec<Violation>) -> Outcome {
        Outcome::Failed { violations, known: Vec::new() }
    }
}

pub struct Probe<'a> {
    pub ctx: &'a Ctx,
    pub behaviour: &'a Meta,
    pub seed: u64,
    checks: u32,
    /// Checks that could not be made, with the reason.
    skipped: Vec<String>,
    violations: Vec<Violation>,
    snapshotted: bool,
    /// The requests of a property's last failing case, for its reproduction.
    pub(super) failing_case: Option<Vec<crate::target::journal::Entry>>,
}

impl<'a> Probe<'a> {
    pub(crate) fn new(ctx: &'a Ctx, behaviour: &'a Meta) -> Probe<'a> {
        let seed = ctx.seed_for(behaviour.id);
        crate::target::journal::begin();
        Probe {
            ctx,
            behaviour,
            seed,
            checks: 0,
            skipped: Vec::new(),
            violations: Vec::new(),
            snapshotted: false,
            failing_case: None,
        }
    }

    /// Sends a request and records what the oracles that apply to it find (privacy everywhere,
    /// the generic ones on the central endpoint, consistency on lists); target failures stop the
    /// behaviour.
    pub(crate) fn send(&mut self, call: &Call) -> Result<Exchange, Stop> {
        let x = self.ctx.send(call).map_err(stop_for)?;
        self.judged(call, &x, None);
        Ok(x)
    }

    /// Sends several requests at once (for races), judging each answer.
    pub(crate) fn send_all(&mut self, calls: Vec<Call>) -> Result<Vec<Exchange>, Stop> {
        let results = self.ctx.send_all(calls.clone());
        let batch = super::observed::sequence::next_batch();
        let mut out = Vec::new();
        for (call, r) in calls.iter().zip(results) {
            let x = r.map_err(stop_for)?;
            self.judged(call, &x, Some(batch));
            out.push(x);
        }
        Ok(out)
    }

    /// Records the oracles' findings on one exchange; true when one of them is a privacy leak.
    fn judged(&mut self, call: &Call, x: &Exchange, batch: Option<u64>) -> bool {
        let findings = self.ctx.receive(self.behaviour.id, Slot::Example, batch, call, x);
        let leaked = findings.iter().any(|f| f.check == Check::Privacy);
        for finding in findings {
            let strictness = finding.strictness;
            self.record(Some(finding), strictness, Some(x));
        }
        leaked
    }

    /// Posts to the central endpoint; the answer is judged like every other.
    pub(crate) fn central(&mut self, authorization: Option<String>, body: Value) -> Result<Exchange, Stop> {
        let call = Call::post(crate::api::CENTRAL_PATH, body).authorization(authorization);
        self.central_call(&call)
    }

    pub(crate) fn central_as(&mut self, token: &str, body: Value) -> Result<Exchange, Stop> {
        self.central(Some(format!("Bearer {token}")), body)
    }

    pub(crate) fn central_call(&mut self, call: &Call) -> Result<Exchange, Stop> {
        let x = self.ctx.send(call).map_err(stop_for)?;
        let leaked = self.judged(call, &x, None);
        // The first answer of an example behaviour is its representative response; one that carries
        // a secret back is never written into a snapshot (the privacy finding stands in its place).
        if self.behaviour.kind == Kind::Example && !leaked {
            self.snapshot(&x);
        }
        Ok(x)
    }

    /// A typed reading of a response: what is absent or of the wrong type is a finding of this
    /// behaviour's strictness, and the check that needed it is not made.
    pub(crate) fn read<T>(&mut self, read: Result<T, Missing>, x: Option<&Exchange>) -> Option<T> {
        match read {
            Ok(v) => Some(v),
            Err(missing) => {
                self.check(Some(Finding::new(Check::Readable, missing.to_string())), x);
                None
            }
        }
    }

    /// A check that cannot be made on this target, with the reason. A behaviour all of whose checks
    /// were skipped is skipped; one that made others is judged by those.
    pub(crate) fn skip_check(&mut self, check: Check, reason: impl Into<String>) {
        let reason = reason.into();
        self.ctx.emit(Event {
            behaviour: self.behaviour.id,
            family: self.behaviour.family,
            trial: self.behaviour.trial_name(),
            check,
            strictness: self.behaviour.strictness,
            verdict: Verdict::Skipped,
            seed: self.seed,
            message: Some(Untrusted::from(reason.as_str()).redacted()),
            exchange: None,
            reproduce: None,
        });
        self.skipped.push(format!("{check}: {reason}"));
    }

    /// Sets up a registration; what the target cannot set up skips the behaviour with the reason.
    pub(crate) fn provision(&mut self, params: &StateParams) -> Result<Provisioned, Stop> {
        let (reg, leaks) = self.ctx.provision(self.behaviour.id, params).map_err(stop_for_setup)?;
        for finding in leaks {
            self.record(Some(finding), Strictness::Documented, None);
        }
        Ok(reg)
    }

    /// Compares the behaviour's first representative response with its snapshot (emulator profile,
    /// source tree present); later calls in the same behaviour do nothing.
    pub(crate) fn snapshot(&mut self, x: &Exchange) {
        let Some(dir) = self.ctx.snapshots.as_deref() else { return };
        if self.snapshotted || self.ctx.profile != Profile::Emulator {
            return;
        }
        self.snapshotted = true;
        let finding =
            super::snapshot::check(dir, self.behaviour.id.0, x, &self.ctx.schemas, self.ctx.on_snapshot_difference())
                .err()
                .map(|m| Finding::new(Check::Snapshot, m));
        self.record(finding, Strictness::Documented, Some(x));
    }

    /// This behaviour has no representative answer on this target: nothing is compared with a snapshot.
    pub(crate) fn no_snapshot(&mut self) {
        self.snapshotted = true;
    }

    /// Records one check with the behaviour's own strictness.
    pub(crate) fn check(&mut self, finding: Option<Finding>, x: Option<&Exchange>) {
        self.record(finding, self.behaviour.strictness, x);
    }

    /// Records one check that is documented whatever the behaviour's strictness.
    pub(crate) fn check_documented(&mut self, finding: Option<Finding>, x: Option<&Exchange>) {
        self.record(finding, Strictness::Documented, x);
    }

    pub(crate) fn expect(&mut self, ok: bool, check: Check, message: impl FnOnce() -> String, x: Option<&Exchange>) {
        let finding = (!ok).then(|| Finding::new(check, message()));
        self.check(finding, x);
    }

    /// Records one finished property: `cases` cases ran, and `failure` is the shrunk counterexample's
    /// finding with its shrunk input and replay line.
    pub(crate) fn record_property(&mut self, cases: u32, failure: Option<(Finding, String)>) {
        self.checks += cases.saturating_sub(1);
        match failure {
            None => self.record(None, self.behaviour.strictness, None),
            Some((finding, shrunk)) => {
                let strictness = finding.strictness;
                self.record_with(Some(finding), strictness, None, Some(Untrusted::from(shrunk).redacted()));
            }
        }
    }

    /// Records one check: `finding` (at `x`, with `strictness`), or a pass.
    fn record(&mut self, finding: Option<Finding>, strictness: Strictness, x: Option<&Exchange>) {
        self.record_with(finding, strictness, x, None);
    }

    fn record_with(
        &mut self,
        finding: Option<Finding>,
        strictness: Strictness,
        x: Option<&Exchange>,
        shrunk: Option<Redacted>,
    ) {
        self.checks += 1;
        let finding = finding.map(|f| {
            let f = f.with(strictness);
            match x {
                Some(x) => f.at(x),
                None => f,
            }
        });
        // A property's finding carries the exchange of its last failing case; its reproduction is
        // that case's requests.
        let seq =
            if shrunk.is_some() { None } else { finding.as_ref().and_then(|f| f.evidence.as_ref()).map(|e| e.seq) };
        let reproduce = finding.as_ref().and_then(|_| self.reproduction(seq));
        let violation = finding.as_ref().map(|f| Violation::of(f, shrunk.clone(), reproduce.clone()));
        let (check, verdict, message, exchange) = match &violation {
            None => (Check::Passed, Verdict::Pass, None, None),
            Some(v) => {
                let verdict = match self.verdict_for(strictness) {
                    Verdict::Fail if self.known(v) => Verdict::Known,
                    other => other,
                };
                let message = match &shrunk {
                    Some(s) => Untrusted::from(format!("{}\n      {s}", v.message)).redacted(),
                    None => v.message.clone(),
                };
                (v.check, verdict, Some(message), v.exchange.clone())
            }
        };
        self.ctx.emit(Event {
            behaviour: self.behaviour.id,
            family: self.behaviour.family,
            trial: self.behaviour.trial_name(),
            check,
            strictness,
            verdict,
            seed: self.seed,
            message,
            exchange,
            reproduce,
        });
        if let Some(v) = violation {
            self.violations.push(v);
        }
    }

    /// The requests behind a finding as `curl` lines: those of this behaviour up to the exchange it was
    /// found in, or a property's last failing case.
    fn reproduction(&self, seq: Option<u64>) -> Option<Redacted> {
        let entries: Vec<_> = match (seq, &self.failing_case) {
            (Some(seq), _) => crate::target::journal::entries().into_iter().filter(|e| e.seq <= seq).collect(),
            (None, Some(case)) => case.clone(),
            (None, None) => return None,
        };
        let name = format!("{}-{}", self.behaviour.id, entries.last()?.seq);
        self.ctx.repro.render(&entries, &name).map(|r| Untrusted::from(r.text).redacted())
    }

    /// Fail, or warn for an inferred expectation against a vendor target (unless `--strict`).
    pub(super) fn verdict_for(&self, strictness: Strictness) -> Verdict {
        if self.fatal(strictness) { Verdict::Fail } else { Verdict::Warn }
    }

    /// Whether the run's baseline accepts this violation as a known deviation.
    fn known(&self, v: &Violation) -> bool {
        let Some(b) = &self.ctx.settings.baseline else { return false };
        let finding = super::baseline::Key::of(self.behaviour.id.0, v);
        b.accepts(&finding, chrono::Utc::now().date_naive()).is_some()
    }

    fn fatal(&self, strictness: Strictness) -> bool {
        match strictness {
            Strictness::Documented => true,
            Strictness::Inferred => self.ctx.profile == Profile::Emulator || self.ctx.settings.strict,
            Strictness::Observed => self.ctx.settings.strict,
            Strictness::Candidate => false,
        }
    }

    /// The trial's outcome: documented violations fail everywhere, inferred ones fail on the emulator
    /// profile and warn against a vendor target; no checks at all is a failure.
    pub(crate) fn finish(mut self, stopped: Result<(), Stop>) -> Outcome {
        match stopped {
            Err(Stop::Skip(reason)) if self.violations.is_empty() => {
                self.ctx.emit_skip(self.behaviour, self.seed, &reason);
                return Outcome::Skipped(reason);
            }
            Err(Stop::Skip(reason)) | Err(Stop::Fail(reason)) => {
                self.record(Some(Finding::new(Check::Run, reason)), Strictness::Documented, None);
                return Outcome::failed(self.violations);
            }
            Ok(()) => {}
        }
        let changes = self.ctx.ledger.observed.as_ref().map(|o| o.changes(self.behaviour.id)).unwrap_or_default();
        for change in changes {
            self.record(Some(Finding::new(Check::ObservedChange, change)), Strictness::Observed, None);
        }
        let expected =
            self.ctx.ledger.observed.as_ref().map(|o| o.expectation_changes(self.behaviour.id)).unwrap_or_default();
        for (change, state) in expected {
            // A gating expectation of a documented behaviour fails everywhere; of another, under
            // --strict; a candidate only warns.
            let strictness = match state {
                super::expectations::State::Candidate => Strictness::Candidate,
                super::expectations::State::Gating if self.behaviour.strictness == Strictness::Documented => {
                    Strictness::Documented
                }
                super::expectations::State::Gating => Strictness::Observed,
            };
            self.record(Some(Finding::new(Check::ExpectationChange, change)), strictness, None);
        }
        if self.checks == 0 && !self.skipped.is_empty() {
            let reason = self.skipped.join("; ");
            self.ctx.emit_skip(self.behaviour, self.seed, &reason);
            return Outcome::Skipped(reason);
        }
        if self.checks == 0 {
            let f = Finding::new(Check::RanChecks, format!("no checks ran for {}", self.behaviour.id));
            return Outcome::failed(vec![Violation::of(&f, None, None)]);
        }
        let fatal_strictness = |s| self.fatal(s);
        let (fatal, warnings): (Vec<_>, Vec<_>) =
            self.violations.iter().cloned().partition(|v| fatal_strictness(v.strictness));
        let (known, new): (Vec<_>, Vec<_>) = fatal.into_iter().partition(|v| self.known(v));
        if new.is_empty() { Outcome::Passed { warnings, known } } else { Outcome::Failed { violations: new, known } }
    }
}

fn stop_for(e: TargetError) -> Stop {
    match e {
        TargetError::BudgetExhausted(_) => Stop::Skip(e.to_string()),
        TargetError::Deadline => Stop::Fail("not run to its end: the run's time limit (--max-time) was reached".into()),
        other => Stop::Fail(other.to_string()),
    }
}

/// What the target cannot set up skips the behaviour; a set-up that went wrong fails it.
pub(crate) fn stop_for_setup(e: ProvisionError) -> Stop {
    match e {
        ProvisionError::Unavailable(why) => Stop::Skip(why),
        ProvisionError::Failed(why) => Stop::Fail(format!("the set-up failed: {why}")),
        ProvisionError::Target(e) => stop_for(e),
    }
}
