//! Properties: a behaviour's generated cases, seeded (ChaCha) and shrunk with proptest, each case
//! judged by the same oracles as every other exchange; what a case holds (`Case`), and how a case
//! that could not be set up or reached stops the property instead of failing it as a finding.

use super::behaviour::Strictness;
use super::context::Ctx;
use super::oracle::Finding;
use super::probe::{Probe, Stop, stop_for_setup};
use crate::suite::BehaviourId;
use crate::suite::event::{Event, Verdict};
use crate::target::{Call, Exchange, Provisioned, StateParams};

/// A failed generated case: how strict the broken expectation is, and what was found.
pub type CaseResult = Result<(), (Strictness, String)>;

const STRICTNESS_SEPARATOR: char = '\u{1f}';

impl Probe<'_> {
    /// Runs a property: `ctx.cases` generated cases from `strategy`, seeded with this behaviour's seed,
    /// shrunk on failure. The failure is recorded with the shrunk input as `show` renders it (which
    /// must redact), and the seed that replays it.
    pub(crate) fn property<S>(
        &mut self,
        strategy: S,
        show: impl Fn(&S::Value) -> String,
        case: impl Fn(&Case<'_>, &S::Value) -> CaseResult,
    ) -> Result<(), Stop>
    where
        S: proptest::strategy::Strategy,
    {
        use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestCaseError, TestError, TestRunner};
        let ctx = self.ctx;
        let judge = Case { ctx, behaviour: self.behaviour.id };
        let stopped: std::cell::RefCell<Option<Stop>> = std::cell::RefCell::new(None);
        let failing = std::cell::RefCell::new(None);
        // What the behaviour sent before its cases (a registration set up once for all of them) is
        // part of every case's reproduction.
        let before = crate::target::journal::entries();
        let ran = std::cell::Cell::new(0u32);
        let config = Config {
            cases: ctx.cases,
            failure_persistence: None,
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(self.seed),
            // Every shrink step is a request to the target; this bounds the cost of one failure.
            max_shrink_iters: MAX_SHRINK_ITERS,
            ..Config::default()
        };
        let mut runner = TestRunner::new(config);
        let shrinking = std::cell::Cell::new(false);
        let (behaviour, seed) = (self.behaviour, self.seed);
        let emit_case = |outcome: &CaseResult| {
            let (verdict, strictness, message) = match outcome {
                Ok(()) => (Verdict::Pass, behaviour.strictness, None),
                Err((s, m)) => (self.verdict_for(*s), *s, Some(m.clone())),
            };
            let check = if shrinking.get() { "shrink-case" } else { "case" };
            ctx.emit(Event {
                behaviour: behaviour.id,
                family: behaviour.family,
                trial: behaviour.trial_name(),
                check: check.into(),
                strictness,
                verdict,
                seed,
                message,
                exchange: None,
                reproduce: None,
            });
        };
        let result = runner.run(&strategy, |value| {
            if stopped.borrow().is_some() {
                return Ok(());
            }
            ran.set(ran.get() + 1);
            crate::target::journal::begin();
            let outcome = case(&judge, &value);
            if outcome.is_err() {
                // Shrinking only moves to a smaller input that fails too: the last failing case is the one
                // reported.
                *failing.borrow_mut() = Some([before.clone(), crate::target::journal::take()].concat());
            }
            if !matches!(&outcome, Err((_, m)) if m.starts_with(TRANSPORT) || m.starts_with(SKIP)) {
                emit_case(&outcome);
            }
            if outcome.is_err() {
                shrinking.set(true);
            }
            match outcome {
                Ok(()) => Ok(()),
                Err((_, message)) if message.starts_with(TRANSPORT) => {
                    *stopped.borrow_mut() = Some(Stop::Fail(message[TRANSPORT.len()..].to_owned()));
                    Ok(())
                }
                Err((_, message)) if message.starts_with(SKIP) => {
                    *stopped.borrow_mut() = Some(Stop::Skip(message[SKIP.len()..].to_owned()));
                    Ok(())
                }
                Err((strictness, message)) => {
                    Err(TestCaseError::fail(format!("{strictness}{STRICTNESS_SEPARATOR}{message}")))
                }
            }
        });
        crate::target::journal::begin();
        if let Some(stop) = stopped.into_inner() {
            return Err(stop);
        }
        self.failing_case = failing.into_inner();
        let failure = match result {
            Ok(()) => None,
            Err(TestError::Abort(why)) => Some((Strictness::Documented, format!("the property aborted: {why}"))),
            Err(TestError::Fail(why, value)) => {
                let why = why.message().to_owned();
                let (strictness, message) = match why.split_once(STRICTNESS_SEPARATOR) {
                    Some(("inferred", m)) => (Strictness::Inferred, m.to_owned()),
                    Some((_, m)) => (Strictness::Documented, m.to_owned()),
                    None => (Strictness::Documented, why.clone()),
                };
                Some((
                    strictness,
                    format!(
                        "{message}\n      shrunk input: {}\n      replay: --seed {} (behaviour seed {:#x})",
                        show(&value),
                        ctx.seed,
                        self.seed
                    ),
                ))
            }
        };
        self.record_property(ran.get(), failure);
        Ok(())
    }
}

/// Shrink steps one failing property may take (each is a request to the target).
pub(crate) const MAX_SHRINK_ITERS: u32 = 64;

/// Marks a case failure that is a transport problem, not a finding.
pub const TRANSPORT: &str = "transport: ";
/// Marks a case that could not be set up on this target: the property stops and is skipped.
pub const SKIP: &str = "skip: ";

/// What a generated case holds: the run's context, and the behaviour it belongs to.
pub struct Case<'a> {
    pub ctx: &'a Ctx,
    behaviour: BehaviourId,
}

impl Case<'_> {
    /// Sets up a registration inside a case; what cannot be set up stops the property (skip or fail).
    pub(crate) fn provision(&self, params: &StateParams) -> Result<Provisioned, (Strictness, String)> {
        let (reg, leaks) = self.ctx.provision(self.behaviour, params).map_err(|e| match stop_for_setup(e) {
            Stop::Skip(why) => (Strictness::Documented, format!("{SKIP}{why}")),
            Stop::Fail(why) => (Strictness::Documented, format!("{TRANSPORT}{why}")),
        })?;
        match leaks.into_iter().next() {
            Some(((check, message), x)) => {
                Err((Strictness::Documented, format!("{check}: {message} in {}", x.summary())))
            }
            None => Ok(reg),
        }
    }

    /// Sends a request and applies every oracle that judges it (documented findings first).
    pub(crate) fn send(&self, call: &Call) -> Result<Exchange, (Strictness, String)> {
        let x = self.ctx.send(call).map_err(|e| (Strictness::Documented, format!("{TRANSPORT}{e}")))?;
        // An account that cannot be topped up (a vendor's, or handed-in tokens) ran out of credits: the
        // run's budget ended, the input is not at fault, and nothing is shrunk. With provider states the
        // cases asked for enough (`Probe::provision_for_cases`), so a 402 there stays a finding.
        if x.status == reqwest::StatusCode::PAYMENT_REQUIRED
            && !self.ctx.provisioner.has(crate::target::Capability::ProviderStates)
        {
            return Err((
                Strictness::Documented,
                format!(
                    "{SKIP}the account's credits ran out (402 after {} requests of this run): give fewer --cases \
                     or top the account up",
                    self.ctx.target.requests_sent()
                ),
            ));
        }
        let mut findings = self.ctx.judge(self.behaviour, call, &x);
        findings.sort_by_key(|(s, _)| *s);
        match findings.into_iter().next() {
            Some((s, (check, message))) => Err((s, format!("{check}: {message} in {}", x.summary()))),
            None => Ok(x),
        }
    }
}

/// An oracle finding as a case result with the given strictness.
pub fn case_check(strictness: Strictness, finding: Option<Finding>, x: &Exchange) -> CaseResult {
    match finding {
        Some((check, message)) => Err((strictness, format!("{check}: {message} in {}", x.summary()))),
        None => Ok(()),
    }
}
