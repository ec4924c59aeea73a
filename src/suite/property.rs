//! Properties: a behaviour's generated cases, seeded (ChaCha) and shrunk with proptest, each case
//! judged by the same oracles as every other exchange; what a case holds (`Case`), and how a case
//! that could not be set up or reached stops the property instead of failing it as a finding.

use super::behaviour::{BehaviourId, Strictness};
use super::context::Ctx;
use super::finding::{Check, Finding};
use super::observed::Slot;
use super::probe::{Probe, Stop, stop_for_setup};
use crate::suite::event::{Event, Verdict};
use crate::target::{Call, Capability, Exchange, Provisioned, StateParams};

/// How a generated case that did not pass ended.
#[derive(Debug)]
pub enum CaseEnd {
    /// An oracle's finding: the case fails and is shrunk.
    Finding(Finding),
    /// The target could not be talked to or set up: the property stops and the behaviour fails.
    Stop(String),
    /// The case cannot run on this target (its set-up, the account's budget): the property stops and
    /// the behaviour is skipped.
    Skip(String),
}

impl From<Finding> for CaseEnd {
    fn from(f: Finding) -> CaseEnd {
        CaseEnd::Finding(f)
    }
}

/// A generated case's result.
pub type CaseResult = Result<(), CaseEnd>;

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
        let judge = Case { ctx, behaviour: self.behaviour.id, slot: std::cell::Cell::new(Slot::Shrink) };
        let stopped: std::cell::RefCell<Option<Stop>> = std::cell::RefCell::new(None);
        let failing = std::cell::RefCell::new(None);
        // The finding of the last failing case: proptest reports the smallest input that still fails,
        // which is the last one that failed.
        let found: std::cell::RefCell<Option<Finding>> = std::cell::RefCell::new(None);
        // What the behaviour sent before its cases (a registration set up once for all of them) is
        // part of every case's reproduction.
        let before = crate::target::journal::entries();
        let ran = std::cell::Cell::new(0u32);
        let config = Config {
            cases: ctx.settings.cases,
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
        let emit_case = |finding: Option<&Finding>| {
            let (verdict, strictness, message) = match finding {
                None => (Verdict::Pass, behaviour.strictness, None),
                Some(f) => (self.verdict_for(f.strictness), f.strictness, Some(f.line())),
            };
            let check = if shrinking.get() { Check::ShrinkCase } else { Check::Case };
            ctx.emit(Event {
                behaviour: behaviour.id,
                family: behaviour.family,
                trial: behaviour.trial_name(),
                check,
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
            // A shrinking step's input depends on what failed: it is no answer set's member.
            judge.slot.set(if shrinking.get() { Slot::Shrink } else { Slot::Case(ran.get()) });
            crate::target::journal::begin();
            let outcome = case(&judge, &value);
            if outcome.is_err() {
                // Shrinking only moves to a smaller input that fails too: the last failing case is the one
                // reported.
                *failing.borrow_mut() = Some([before.clone(), crate::target::journal::take()].concat());
            }
            match outcome {
                Ok(()) => {
                    emit_case(None);
                    Ok(())
                }
                Err(CaseEnd::Stop(why)) => {
                    *stopped.borrow_mut() = Some(Stop::Fail(why));
                    Ok(())
                }
                Err(CaseEnd::Skip(why)) => {
                    *stopped.borrow_mut() = Some(Stop::Skip(why));
                    Ok(())
                }
                Err(CaseEnd::Finding(f)) => {
                    emit_case(Some(&f));
                    shrinking.set(true);
                    *found.borrow_mut() = Some(f);
                    // The finding itself travels beside proptest, in `found`.
                    Err(TestCaseError::fail("a generated case failed"))
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
            Err(TestError::Abort(why)) => {
                Some((Finding::new(Check::Property, format!("the property aborted: {why}")), String::new()))
            }
            Err(TestError::Fail(_, value)) => {
                let finding = found.into_inner().unwrap_or_else(|| Finding::new(Check::Property, "a case failed"));
                let shrunk = format!(
                    "shrunk input: {}\n      replay: --seed {} (behaviour seed {:#x})",
                    show(&value),
                    ctx.settings.seed,
                    self.seed
                );
                Some((finding, shrunk))
            }
        };
        self.record_property(ran.get(), failure);
        Ok(())
    }

    /// Sets up the registration a property's cases share, with the credits those cases and their
    /// shrinking can spend: the target's default balance suits a default run, not `--cases 7000`. Only
    /// provider states can choose a balance; elsewhere the account's own balance is what there is, and
    /// running out stops the property as a budget (`Case::send`), never as a finding.
    pub(crate) fn provision_for_cases(&mut self, params: &StateParams) -> Result<Provisioned, Stop> {
        let mut params = params.clone();
        if params.credits.is_none() && self.ctx.provisioner.has(Capability::ProviderStates) {
            let cases = i64::from(self.ctx.settings.cases) + i64::from(MAX_SHRINK_ITERS);
            params.credits = Some(cases * i64::from(self.behaviour.cost.charging.max(1)) + CREDIT_MARGIN);
        }
        self.provision(&params)
    }
}

/// Credits set up beyond what a property's cases can spend, for the behaviour's own requests around them.
const CREDIT_MARGIN: i64 = 16;

/// Shrink steps one failing property may take (each is a request to the target).
pub(crate) const MAX_SHRINK_ITERS: u32 = 64;

/// What a generated case holds: the run's context, the behaviour it belongs to, and which case it is.
pub struct Case<'a> {
    pub ctx: &'a Ctx,
    behaviour: BehaviourId,
    slot: std::cell::Cell<Slot>,
}

impl Case<'_> {
    /// Sets up a registration inside a case; what cannot be set up stops the property (skip or fail).
    pub(crate) fn provision(&self, params: &StateParams) -> Result<Provisioned, CaseEnd> {
        let (reg, leaks) = self.ctx.provision(self.behaviour, params).map_err(|e| match stop_for_setup(e) {
            Stop::Skip(why) => CaseEnd::Skip(why),
            Stop::Fail(why) => CaseEnd::Stop(why),
        })?;
        match leaks.into_iter().next() {
            Some(leak) => Err(CaseEnd::Finding(leak)),
            None => Ok(reg),
        }
    }

    /// Sends a request and applies every oracle that judges it (documented findings first).
    pub(crate) fn send(&self, call: &Call) -> Result<Exchange, CaseEnd> {
        let x = self.ctx.send(call).map_err(|e| CaseEnd::Stop(e.to_string()))?;
        // An account that cannot be topped up (a vendor's, or handed-in tokens) ran out of credits: the
        // run's budget ended, the input is not at fault, and nothing is shrunk. With provider states the
        // cases asked for enough (`Probe::provision_for_cases`), so a 402 there stays a finding.
        if x.status == reqwest::StatusCode::PAYMENT_REQUIRED
            && !self.ctx.provisioner.has(crate::target::Capability::ProviderStates)
        {
            return Err(CaseEnd::Skip(format!(
                "the account's credits ran out (402 after {} requests of this run): give fewer --cases or top \
                 the account up",
                self.ctx.target.requests_sent()
            )));
        }
        let mut findings = self.ctx.receive(self.behaviour, self.slot.get(), None, call, &x);
        findings.sort_by_key(|f| f.strictness);
        match findings.into_iter().next() {
            Some(f) => Err(CaseEnd::Finding(f.at(&x))),
            None => Ok(x),
        }
    }
}

/// An oracle finding as a case result with the given strictness.
pub fn case_check(strictness: Strictness, finding: Option<Finding>, x: &Exchange) -> CaseResult {
    match finding {
        Some(f) => Err(CaseEnd::Finding(f.with(strictness).at(x))),
        None => Ok(()),
    }
}
