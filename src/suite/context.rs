//! A run's context, in two parts: the environment every trial reads (the target and how to set
//! registrations up on it, the compiled schemas, the fixtures, the settings) and the ledger where what
//! the trials did is kept (`ledger::Ledger`). Judging an answer reads the environment only; booking it
//! writes the ledger; `Ctx::receive` is the one place both happen.
//!
//! It is built lazily, on the first trial that runs, so `--list` never starts a server or sends a
//! request.

use std::future::Future;
use std::sync::OnceLock;

use reqwest::{Method, StatusCode};

use super::behaviour::{BehaviourId, Meta, Strictness};
use super::finding::{Check, Finding};
use super::fixtures::Fixtures;
use super::ledger::Ledger;
use super::observed::Slot;
use super::oracle;
pub use super::settings::{Profile, RunSettings};
pub use super::spec::{CtxError, Started, Starter, TargetSpec};
use crate::api::CENTRAL_PATH;
use crate::api::{CreditCategory, CreditPage};
use crate::schemas::SchemaSet;
use crate::suite::event::{Event, Verdict};
use crate::target::untrusted::Untrusted;
use crate::target::{Call, Exchange, ProvisionError, Provisioned, Provisioner, StateParams, Target, TargetError};

/// What every trial of a run reads and none writes.
pub struct Env {
    /// The run's settings, as it was told them.
    pub settings: RunSettings,
    pub target: Target,
    pub provisioner: Provisioner,
    pub schemas: SchemaSet,
    pub fixtures: Fixtures,
    pub profile: Profile,
    pub description: String,
    /// How failures are written down as `curl` lines.
    pub repro: super::repro::Reproducer,
    /// Where snapshots are compared, if they are (see `snapshot::folder_for_run`).
    pub snapshots: Option<std::path::PathBuf>,
    /// Whether `snapshots` is a throw-away copy, removed with the run (never the source folder, wherever
    /// the source tree lives).
    snapshots_are_a_copy: bool,
}

/// A run's context: its environment (read through `Deref`), its ledger, and the runtime and
/// embedded target that keep it going.
pub struct Ctx {
    runtime: tokio::runtime::Runtime,
    env: Env,
    pub ledger: Ledger,
    /// What keeps an embedded target running; dropped last.
    _started: Option<Box<dyn std::any::Any + Send + Sync>>,
}

impl std::ops::Deref for Ctx {
    type Target = Env;

    fn deref(&self) -> &Env {
        &self.env
    }
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
        let (target, started, client_token, project_flow, handed_in, profile) = match spec {
            TargetSpec::Embedded { start, .. } => {
                let s = start().map_err(CtxError::Start)?;
                let target = Target::new(&s.base_url, &settings.target)?;
                (target, Some(s.keep_alive), Some(s.client_token), None, Vec::new(), Profile::Emulator)
            }
            TargetSpec::Url { base_url, client_token, project_flow, registration_tokens, emulator_profile } => {
                let target = Target::new(base_url, &settings.target)?;
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
        let observed = match (settings.observed.as_slice(), &settings.record_observed, &settings.expectations) {
            ([], None, None) if !settings.keep_answers => None,
            (earlier, _, None) => Some(super::observed::Observed::new(earlier)?),
            (earlier, _, Some(e)) => Some(super::observed::Observed::new(earlier)?.expecting(e.clone())),
        };
        // Every answer in order is kept only where it is read: by `diff`, or in a recorded directory.
        let sequences = settings.keep_answers || settings.record_observed.is_some();
        let observed = observed.map(|o| if sequences { o.keeping_sequences() } else { o });
        let repro = super::repro::Reproducer {
            base_url: target.base_url().to_owned(),
            client_token: client_token.clone(),
            registration_tokens: handed_in.clone(),
            dir: settings.repro_dir.clone(),
        };
        let env = Env {
            settings: settings.clone(),
            target,
            provisioner,
            schemas,
            fixtures,
            profile,
            description,
            repro,
            snapshots,
            snapshots_are_a_copy: !conformant,
        };
        Ok(Ctx { runtime, env, ledger: Ledger::new(observed), _started: started })
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
        self.ledger.lease(behaviour, reg.token.clone());
        Ok((reg, leaks))
    }

    /// Ends what `behaviour` holds: its registration tokens serve others unless a 200 spent them.
    pub(crate) fn release(&self, behaviour: BehaviourId) {
        for token in self.ledger.end_leases(behaviour) {
            self.provisioner.release(&token);
        }
    }

    /// What one answer a behaviour received means, in the one place where the run's ledger is kept:
    /// the oracles judge it (`judge`, which reads the environment only), then the ledger books it
    /// (`book`), whose record of created ids is an oracle of its own.
    pub(crate) fn receive(
        &self,
        behaviour: BehaviourId,
        slot: Slot,
        batch: Option<u64>,
        call: &Call,
        x: &Exchange,
    ) -> Vec<Finding> {
        let mut out = self.env.judge(call, x);
        out.extend(self.ledger.book(behaviour, slot, batch, call, x, &self.env.provisioner));
        out
    }

    pub(crate) fn emit(&self, event: Event) {
        self.ledger.emit(event);
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
        self.ledger.take_events()
    }
}

impl Env {
    /// What a snapshot difference does: only the conformant embedded emulator's own snapshots are
    /// reviewed or accepted.
    pub(crate) fn on_snapshot_difference(&self) -> super::snapshot::OnDifference {
        use super::snapshot::OnDifference;
        match (self.snapshots_are_a_copy, self.settings.accept_snapshots) {
            (true, _) => OnDifference::Report,
            (false, true) => OnDifference::Accept,
            (false, false) => OnDifference::Review,
        }
    }

    /// A behaviour's own seed: the run seed mixed with its id, so filtering never changes it.
    pub(crate) fn seed_for(&self, id: BehaviourId) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.0.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.settings.seed ^ h
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
}

impl Drop for Env {
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

    pub(crate) fn settings(&self) -> &RunSettings {
        &self.settings
    }

    /// The context if it was ever built (no trial ran otherwise).
    pub(crate) fn built(&self) -> Option<&Ctx> {
        self.cell.get().and_then(|r| r.as_ref().ok())
    }
}
