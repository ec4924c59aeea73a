//! Answer sequences: every answer a behaviour received, on any route, in the order its requests were
//! sent, per slot (its fixed requests, each generated case). `diff` compares two targets request by
//! request with them. Requests sent together (a race) are one step whose answers are a multiset: which
//! racer won, and in which order the answers came, is not part of the sequence.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Slot;
use super::answer;
use crate::suite::behaviour::BehaviourId;
use crate::target::{Call, Exchange};

/// One request of a slot, or several sent together.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// `POST /v2/biometric-validations/app-registration`, ids in the path masked as `<id>`.
    pub route: String,
    /// Sent together with others (a race): the answers are a multiset, sorted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub together: bool,
    /// The normalised answers (`answer::normalise`): one, unless `together`.
    pub answers: Vec<Value>,
    /// Each answer as a redacted one-line summary, for showing beside a difference.
    pub shown: Vec<String>,
    /// Which batch of racing requests it holds, while the batch is being noted.
    #[serde(skip)]
    batch: Option<u64>,
}

impl Step {
    /// A step as a test writes it.
    #[cfg(test)]
    pub(crate) fn new(route: &str, together: bool, answers: Vec<Value>) -> Step {
        let shown = answers.iter().map(|a| a.to_string()).collect();
        Step { route: route.to_owned(), together, answers, shown, batch: None }
    }

    /// What "the same step" means: the route and the answers as a multiset.
    pub fn identity(&self) -> String {
        let mut keys: Vec<String> = self.answers.iter().map(Value::to_string).collect();
        keys.sort();
        format!("{} {}", self.route, keys.join(" "))
    }
}

/// A slot's steps in the order sent.
pub type Steps = Vec<Step>;
/// Per behaviour, per slot (`example`, `case 1`, ...), its steps.
pub type Sequences = BTreeMap<String, BTreeMap<String, Steps>>;

static BATCH: AtomicU64 = AtomicU64::new(1);

/// A fresh number for a batch of requests sent together.
pub(crate) fn next_batch() -> u64 {
    BATCH.fetch_add(1, Ordering::Relaxed)
}

/// The route of a call as a sequence names it: method and path, the query and ids left out.
fn route(call: &Call) -> String {
    let path = call.path.split('?').next().unwrap_or_default();
    format!("{} {}", call.method, answer::mask_ids(path))
}

#[derive(Default)]
pub(crate) struct Recorder {
    steps: Mutex<HashMap<BehaviourId, BTreeMap<String, Steps>>>,
}

impl Recorder {
    /// Notes one answer; answers of one `batch` join one step.
    pub(crate) fn note(&self, behaviour: BehaviourId, slot: Slot, batch: Option<u64>, call: &Call, x: &Exchange) {
        let Some(key) = slot.key() else { return };
        let mut all = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        let steps = all.entry(behaviour).or_default().entry(key).or_default();
        let (normal, shown) = (answer::normalise(x), x.summary().redacted().as_str().to_owned());
        match steps.last_mut().filter(|s| batch.is_some() && s.batch == batch) {
            Some(step) => {
                step.answers.push(normal);
                step.shown.push(shown);
            }
            None => steps.push(Step {
                route: route(call),
                together: batch.is_some(),
                answers: vec![normal],
                shown: vec![shown],
                batch,
            }),
        }
    }

    /// Every behaviour's sequences, the answers of each batch sorted.
    pub(crate) fn sequences(&self) -> Sequences {
        let all = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        all.iter()
            .map(|(id, slots)| {
                let slots =
                    slots.iter().map(|(slot, steps)| (slot.clone(), steps.iter().map(sorted_step).collect())).collect();
                (id.0.to_owned(), slots)
            })
            .collect()
    }
}

fn sorted_step(s: &Step) -> Step {
    let mut pairs: Vec<(Value, String)> = s.answers.iter().cloned().zip(s.shown.iter().cloned()).collect();
    pairs.sort_by_key(|(a, _)| a.to_string());
    let (answers, shown) = pairs.into_iter().unzip();
    Step { answers, shown, batch: None, ..s.clone() }
}

/// A directory's answer sequences, for `diff`: format 3 only (older ones kept no order).
pub fn read(dir: &Path) -> Result<(super::Index, Sequences), super::ObservedError> {
    let index = super::index(dir)?;
    if index.format_version < 3 {
        return Err(super::ObservedError::NoSequences { path: dir.to_owned(), found: index.format_version });
    }
    let mut out = Sequences::new();
    let entries =
        std::fs::read_dir(dir).map_err(|source| super::ObservedError::Read { path: dir.to_owned(), source })?;
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_none_or(|x| x != "json") || path.ends_with(super::INDEX) {
            continue;
        }
        let f: super::File = super::read_json(&path, "an observed answer set")?;
        out.insert(f.behaviour, f.sequences);
    }
    Ok((index, out))
}

/// Slots in the order they ran: the fixed requests, then the cases by number.
pub fn slot_order(slot: &str) -> (u8, u32, String) {
    match slot.strip_prefix("case ").and_then(|n| n.parse::<u32>().ok()) {
        Some(n) => (1, n, String::new()),
        None => (0, 0, slot.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::json;

    use super::*;

    /// A race's answers are one step whatever order they came in; the requests around it are steps of
    /// their own, in the order sent.
    #[test]
    fn a_batch_is_one_step_and_its_order_is_not_kept() {
        let id = BehaviourId("STATE-RACE");
        let post = Call::post(crate::api::CENTRAL_PATH, json!({}));
        let ok = Exchange::synthetic(StatusCode::OK, json!({"data": {"_id": "a"}}));
        let taken = Exchange::synthetic(StatusCode::CONFLICT, json!({"code": "person_already_set", "message": "m"}));
        let record = |order: [&Exchange; 3]| {
            let r = Recorder::default();
            r.note(id, Slot::Example, None, &Call::get("/v2/app-registrations/6650aa0b1c2d3e4f5a6b7c8d"), &taken);
            let batch = next_batch();
            for x in order {
                r.note(id, Slot::Example, Some(batch), &post, x);
            }
            r.note(id, Slot::Example, None, &post, &taken);
            r.note(id, Slot::Shrink, None, &post, &ok);
            r.sequences()
        };
        let (a, b) = (record([&ok, &taken, &taken]), record([&taken, &taken, &ok]));
        let steps = &a["STATE-RACE"]["example"];
        assert_eq!(steps.len(), 3, "read, race, post: {steps:?}");
        assert_eq!(steps[0].route, "GET /v2/app-registrations/<id>");
        assert!(steps[1].together && steps[1].answers.len() == 3);
        assert!(!steps[2].together);
        let ids = |s: &Sequences| s["STATE-RACE"]["example"].iter().map(Step::identity).collect::<Vec<_>>();
        assert_eq!(ids(&a), ids(&b));
        assert_eq!(a["STATE-RACE"].len(), 1, "shrinking is not kept");
        assert!(slot_order("case 2") < slot_order("case 10") && slot_order("example") < slot_order("case 1"));
    }
}
