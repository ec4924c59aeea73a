//! `Ctx`: everything a run shares across trials: the async runtime, the target and how to set
//! registrations up on it, the compiled schemas, the fixtures, the seed, and the event collector.
//!
//! It is built lazily, on the first trial that runs, so `--list` never starts a server or sends a
//! request.

use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use reqwest::{Method, StatusCode};

use super::behaviour::{BehaviourId, Meta, Strictness};
use super::finding::{Check, Finding};
use super::fixtures::Fixtures;
use super::oracle::{self, ledger::CreatedIds};
pub use super::spec::{CtxError, Started, Starter, TargetSpec};
use crate::api::CENTRAL_PATH;
use crate::api::{CreditCategory, CreditPage};
use crate::schemas::SchemaSet;
use crate::suite::event::{Event, Verdict};
use crate::target::untrusted::Untrusted;
use crate::target::{
    Call, Exchange, ProvisionError, Provisioned, Provisioner, StateParams, Target, TargetError, TargetOptions,
};

/// Whether inferred behaviours fail (the emulator and self-hosted targets that opt in) or warn
/// (the vendor).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Profile {
    Emulator,
    Vendor,
}

/// Settings of one run that are not about the target.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub seed: u64,
    pub cases: u32,
    pub max_requests: Option<u64>,
    pub rate: Option<f64>,
    pub timeout: Duration,
    /// Every warning fails: inferred expectations and undocumented fields, against any target.
    pub strict: bool,
    /// The whole run ends by then; what is left is reported as not run.
    pub max_time: Option<Duration>,
    /// Consecutive transport failures of one route after which the target is given up.
    pub max_failures: u32,
    /// Known deviations that do not fail the run (`--baseline`).
    pub baseline: Option<std::sync::Arc<super::baseline::Baseline>>,
    /// `--repro-dir`: where the bodies of failing requests are written for their reproductions.
    pub repro_dir: Option<std::path::PathBuf>,
    /// `--har`: keep every exchange, redacted.
    pub har: bool,
    /// `--observed DIR`: compare the central endpoint's answers with those recorded there.
    pub observed: Option<std::path::PathBuf>,
    /// `--record-observed DIR`: keep the central endpoint's answers to write them there.
    pub record_observed: Option<std::path::PathBuf>,
    /// Behaviours (trial names) the plan left out (`--budget-credits`, `--budget-validations`), with why.
    pub left_out: std::collections::HashMap<String, String>,
}

/// Generated cases per property unless a run says otherwise.
pub const DEFAULT_CASES: u32 = 32;

impl RunSettings {
    /// Defaults for a run of `cases` cases per property with `seed`.
    pub fn new(seed: u64, cases: u32) -> RunSettings {
        RunSettings {
            seed,
            cases,
            max_requests: None,
            rate: None,
            timeout: crate::target::DEFAULT_TIMEOUT,
            strict: false,
            max_time: None,
            max_failures: crate::target::DEFAULT_MAX_FAILURES,
            baseline: None,
            repro_dir: None,
            har: false,
            observed: None,
            record_observed: None,
            left_out: std::collections::HashMap::new(),
        }
    }
}

pub struct Ctx {
    runtime: tokio::runtime::Runtime,
    pub target: Target,
    pub provisioner: Provisioner,
    pub schemas: SchemaSet,
    pub fixtures: Fixtures,
    pub profile: Profile,
    /// `--strict`: warnings fail.
    pub strict: bool,
    pub baseline: Option<std::sync::Arc<super::baseline::Baseline>>,
    pub seed: u64,
    pub cases: u32,
    pub description: String,
    /// How failures are written down as `curl` lines.
    pub repro: super::repro::Reproducer,
    /// The central endpoint's answers, kept or compared (`--record-observed`, `--observed`).
    pub observed: Option<super::observed::Observed>,
    /// Behaviours the plan left out, with why: they are skipped.
    pub left_out: std::collections::HashMap<String, String>,
    /// Where snapshots are compared, if they are (see `snapshot::folder_for_run`).
    pub snapshots: Option<std::path::PathBuf>,
    /// Whether `snapshots` is a throw-away copy, removed with the run (never the source folder, wherever
    /// the source tree lives).
    snapshots_are_a_copy: bool,
    events: Mutex<Vec<Event>>,
    /// Per behaviour, the ids its successful validations created.
    created: Mutex<std::collections::HashMap<BehaviourId, CreatedIds>>,
    /// Per behaviour, the registration tokens it holds, released when it ends.
    leases: Mutex<std::collections::HashMap<BehaviourId, Vec<String>>>,
    /// What keeps an embedded target running; dropped last.
    _started: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl Ctx {
    pub fn new(spec: &TargetSpec, settings: &RunSettings) -> Result<Ctx, CtxError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(CtxError::Runtime)?;
        let schemas = SchemaSet::load()?;
        let fixtures = Fixtures::load();
        let deadline = settings.max_time.map(|t| std::time::Instant::now() + t);
        let options = |base: String| TargetOptions {
            timeout: settings.timeout,
            max_requests: settings.max_requests,
            rate: settings.rate,
            max_failures: settings.max_failures,
            deadline,
            har: settings.har,
            ..TargetOptions::new(base)
        };
        let (target, started, client_token, project_flow, handed_in, profile) = match spec {
            TargetSpec::Embedded { start, .. } => {
                let s = start().map_err(CtxError::Start)?;
                let target = Target::new(options(s.base_url))?;
                (target, Some(s.keep_alive), Some(s.client_token), None, Vec::new(), Profile::Emulator)
            }
            TargetSpec::Url { base_url, client_token, project_flow, registration_tokens, emulator_profile } => {
                let target = Target::new(options(base_url.clone()))?;
                let profile = if *emulator_profile { Profile::Emulator } else { Profile::Vendor };
                (target, None, client_token.clone(), project_flow.clone(), registration_tokens.clone(), profile)
            }
        };
        // The run's secrets are known to the redactor before anything is sent or written.
        for secret in client_token.iter().chain(&handed_in) {
            crate::target::redactor::redactor().credential(secret);
        }
        // Only the conformant embedded emulator may leave `.snap.new` files in the source tree; any other
        // target (a deviating emulator, a self-hosted one) compares against a throw-away copy.
        let conformant = matches!(spec, TargetSpec::Embedded { conformant: true, .. });
        let snapshots = super::snapshot::folder_for_run(!conformant);
        let provisioner = runtime.block_on(Provisioner::detect(
            &target,
            client_token.as_deref(),
            project_flow.as_deref(),
            &handed_in,
        ));
        let description = format!(
            "{} ({}, set-up: {})",
            target.base_url(),
            match profile {
                Profile::Emulator => "emulator profile",
                Profile::Vendor => "vendor profile",
            },
            provisioner.describe()
        );
        if let Some(har) = &target.har {
            for img in fixtures.faces().iter().chain([&fixtures.flat_png]) {
                har.name_image(img.data_uri(), &img.name);
            }
        }
        let observed = match (&settings.observed, &settings.record_observed) {
            (None, None) => None,
            (earlier, _) => Some(super::observed::Observed::new(earlier.as_deref())?),
        };
        let repro = super::repro::Reproducer {
            base_url: target.base_url().to_owned(),
            client_token: client_token.clone(),
            registration_tokens: handed_in.clone(),
            dir: settings.repro_dir.clone(),
        };
        Ok(Ctx {
            runtime,
            repro,
            observed,
            left_out: settings.left_out.clone(),
            target,
            provisioner,
            schemas,
            fixtures,
            profile,
            strict: settings.strict,
            baseline: settings.baseline.clone(),
            seed: settings.seed,
            cases: settings.cases,
            description,
            snapshots,
            snapshots_are_a_copy: !conformant,
            events: Mutex::new(Vec::new()),
            created: Mutex::new(std::collections::HashMap::new()),
            leases: Mutex::new(std::collections::HashMap::new()),
            _started: started,
        })
    }

    pub(crate) fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    pub(crate) fn send(&self, call: &Call) -> Result<Exchange, TargetError> {
        self.block_on(self.target.send(call))
    }

    /// Runs several requests at once (for races) and returns their results in order.
    pub(crate) fn send_all(&self, calls: Vec<Call>) -> Vec<Result<Exchange, TargetError>> {
        self.block_on(futures_util::future::join_all(calls.iter().map(|c| self.target.send(c))))
    }

    /// A behaviour's own seed: the run seed mixed with its id, so filtering never changes it.
    pub(crate) fn seed_for(&self, id: BehaviourId) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.0.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.seed ^ h
    }

    /// Sets up a registration for `behaviour`; the token it holds goes back when the behaviour ends.
    /// With it come the set-up's answers that carried back what their request sent (the privacy
    /// oracle reads set-up routes too, their documented token payloads aside): they are the asking
    /// behaviour's findings.
    pub(crate) fn provision(
        &self,
        behaviour: BehaviourId,
        params: &StateParams,
    ) -> Result<(Provisioned, Vec<Finding>), ProvisionError> {
        let face = self.fixtures.face_jpeg_uri();
        let (reg, exchanges) = crate::target::journal::capture(|| {
            self.block_on(self.provisioner.registration(&self.target, params, face))
        });
        let leaks =
            exchanges.into_iter().filter_map(|(call, x)| oracle::privacy::check(&call, &x).map(|f| f.at(&x))).collect();
        let reg = reg?;
        let redactor = crate::target::redactor::redactor();
        for issued in std::iter::once(&reg.token).chain(&reg.client_token) {
            redactor.credential(issued);
        }
        self.leases.lock().unwrap_or_else(|p| p.into_inner()).entry(behaviour).or_default().push(reg.token.clone());
        Ok((reg, leaks))
    }

    /// Ends what `behaviour` holds: its registration tokens serve others unless a 200 spent them.
    pub(crate) fn release(&self, behaviour: BehaviourId) {
        let held = self.leases.lock().unwrap_or_else(|p| p.into_inner()).remove(&behaviour).unwrap_or_default();
        for token in held {
            self.provisioner.release(&token);
        }
    }

    /// The oracles every response of the central endpoint is judged by.
    pub(crate) fn generic_findings(&self, x: &Exchange) -> Vec<Finding> {
        let mut out = Vec::new();
        let documented = [oracle::never_5xx(x), oracle::json_content_type(x), oracle::code_agrees_with_message(x)];
        out.extend(documented.into_iter().flatten());
        let schema = oracle::schema_for(x);
        if let Some(f) = oracle::schema(&self.schemas, x) {
            let strictness = if schema == "error-generic.json" { Strictness::Inferred } else { Strictness::Documented };
            out.push(f.with(strictness));
        }
        if let Some(body) = &x.body {
            let extra = oracle::fields::undocumented(&self.schemas, schema, body);
            if !extra.is_empty() {
                let f =
                    Finding::new(Check::UndocumentedField, format!("{} names no field {}", schema, extra.join(", ")));
                out.push(f.with(Strictness::Inferred));
            }
        }
        out
    }

    /// What one answer a behaviour received means, in the one place where the run's ledger is kept:
    /// the oracles judge it (`judge`, which reads the environment only), then the ledger books it
    /// (`book`), whose record of created ids is an oracle of its own.
    pub(crate) fn receive(&self, behaviour: BehaviourId, call: &Call, x: &Exchange) -> Vec<Finding> {
        let mut out = self.judge(call, x);
        out.extend(self.book(behaviour, call, x));
        out
    }

    /// Every oracle that reads one answer alone: privacy on all of them, the generic ones on the
    /// central endpoint, consistency on the credits list.
    pub(crate) fn judge(&self, call: &Call, x: &Exchange) -> Vec<Finding> {
        let mut out: Vec<Finding> = oracle::privacy::check(call, x).into_iter().collect();
        let path = call.path.split('?').next().unwrap_or_default();
        if call.method == Method::POST && path == CENTRAL_PATH {
            out.extend(self.generic_findings(x));
        }
        if call.method == Method::GET && path == "/v2/credits" && x.status == StatusCode::OK {
            let category = call.path.contains("where_category=usage").then_some(CreditCategory::Usage);
            match CreditPage::read(x.body.as_ref()) {
                Ok(page) => out.extend(oracle::ledger::credit_page(&page, category)),
                Err(missing) => out.push(Finding::new(Check::Readable, missing.to_string())),
            }
        }
        out
    }

    /// The run's ledger for one answer of the central endpoint: the answer noted for `--observed`, a
    /// token a 200 spent, and the ids a success created, which must not repeat another's.
    fn book(&self, behaviour: BehaviourId, call: &Call, x: &Exchange) -> Vec<Finding> {
        let path = call.path.split('?').next().unwrap_or_default();
        if call.method != Method::POST || path != CENTRAL_PATH {
            return Vec::new();
        }
        if let Some(o) = &self.observed {
            o.note(behaviour, x);
        }
        if x.status != StatusCode::OK {
            return Vec::new();
        }
        if let Some(token) = call.credential() {
            self.provisioner.spent(token);
        }
        let Ok(r) = x.registration("the 200 body") else { return Vec::new() };
        let mut created = self.created.lock().unwrap_or_else(|p| p.into_inner());
        let ids = created.entry(behaviour).or_default();
        ids.created(&r.id, r.person.as_deref(), r.biometric_validation.as_deref()).into_iter().collect()
    }

    pub(crate) fn emit(&self, event: Event) {
        self.events.lock().unwrap_or_else(|p| p.into_inner()).push(event);
    }

    pub(crate) fn emit_skip(&self, b: &Meta, seed: u64, reason: &str) {
        self.emit(Event {
            behaviour: b.id,
            family: b.family,
            trial: b.trial_name(),
            check: Check::Run,
            strictness: b.strictness,
            verdict: Verdict::Skipped,
            seed,
            message: Some(Untrusted::from(reason).redacted()),
            exchange: None,
            reproduce: None,
        });
    }

    pub(crate) fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl Drop for Ctx {
    /// A deviating run compared against a throw-away copy of the snapshots; it goes with the run.
    fn drop(&mut self) {
        if let (true, Some(dir)) = (self.snapshots_are_a_copy, &self.snapshots)
            && dir != &super::snapshot::folder()
        {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A `Ctx` built on first use and shared by every trial; a failure to build is reported by each.
pub struct LazyCtx {
    spec: TargetSpec,
    settings: RunSettings,
    cell: OnceLock<Result<Ctx, CtxError>>,
}

impl LazyCtx {
    pub(crate) fn new(spec: TargetSpec, settings: RunSettings) -> LazyCtx {
        LazyCtx { spec, settings, cell: OnceLock::new() }
    }

    pub(crate) fn get(&self) -> Result<&Ctx, &CtxError> {
        self.cell.get_or_init(|| Ctx::new(&self.spec, &self.settings)).as_ref()
    }

    /// The context if it was ever built (no trial ran otherwise).
    pub(crate) fn built(&self) -> Option<&Ctx> {
        self.cell.get().and_then(|r| r.as_ref().ok())
    }
}
