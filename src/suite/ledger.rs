//! The run's ledger: what a run keeps while its behaviours run (their events, the registration tokens
//! each holds, the ids their successes created, the central endpoint's answers for `--observed`). It
//! is the only mutable part of a run's context; the environment it is kept beside is read-only.

use std::collections::HashMap;
use std::sync::Mutex;

use reqwest::{Method, StatusCode};

use super::behaviour::BehaviourId;
use super::event::Event;
use super::finding::Finding;
use super::observed::{Observed, Slot};
use super::oracle::ledger::CreatedIds;
use crate::api::CENTRAL_PATH;
use crate::target::{Call, Exchange, Provisioner};

pub struct Ledger {
    events: Mutex<Vec<Event>>,
    /// Per behaviour, the ids its successful validations created.
    created: Mutex<HashMap<BehaviourId, CreatedIds>>,
    /// Per behaviour, the registration tokens it holds, released when it ends.
    leases: Mutex<HashMap<BehaviourId, Vec<String>>>,
    /// The central endpoint's answers, kept or compared (`--record-observed`, `--observed`).
    pub observed: Option<Observed>,
}

/// A poisoned lock still holds a consistent ledger: every write below is a single insert or push.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Ledger {
    pub(crate) fn new(observed: Option<Observed>) -> Ledger {
        Ledger {
            events: Mutex::new(Vec::new()),
            created: Mutex::new(HashMap::new()),
            leases: Mutex::new(HashMap::new()),
            observed,
        }
    }

    /// One answer of `behaviour`, booked: noted in its sequence (any route; `batch` names the requests
    /// sent together with it) and, on the central endpoint, in its answer sets; on a 200 of the central endpoint,
    /// the registration token marked spent with `provisioner` and the created ids recorded, which must
    /// not repeat another success's (the findings returned).
    pub(crate) fn book(
        &self,
        behaviour: BehaviourId,
        slot: Slot,
        batch: Option<u64>,
        call: &Call,
        x: &Exchange,
        provisioner: &Provisioner,
    ) -> Vec<Finding> {
        if let Some(o) = &self.observed {
            o.note_step(behaviour, slot, batch, call, x);
        }
        let path = call.path.split('?').next().unwrap_or_default();
        if call.method != Method::POST || path != CENTRAL_PATH {
            return Vec::new();
        }
        if let Some(o) = &self.observed {
            o.note(behaviour, slot, x);
        }
        if x.status != StatusCode::OK {
            return Vec::new();
        }
        if let Some(token) = call.credential() {
            provisioner.spent(token);
        }
        let Ok(r) = x.registration("the 200 body") else { return Vec::new() };
        let mut created = lock(&self.created);
        let ids = created.entry(behaviour).or_default();
        ids.created(&r.id, r.person.as_deref(), r.biometric_validation.as_deref()).into_iter().collect()
    }

    /// `behaviour` holds `token` until it ends.
    pub(crate) fn lease(&self, behaviour: BehaviourId, token: String) {
        lock(&self.leases).entry(behaviour).or_default().push(token);
    }

    /// The tokens `behaviour` held, no longer its own.
    pub(crate) fn end_leases(&self, behaviour: BehaviourId) -> Vec<String> {
        lock(&self.leases).remove(&behaviour).unwrap_or_default()
    }

    pub(crate) fn emit(&self, event: Event) {
        lock(&self.events).push(event);
    }

    pub(crate) fn take_events(&self) -> Vec<Event> {
        std::mem::take(&mut *lock(&self.events))
    }
}
