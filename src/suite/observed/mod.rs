//! Answer sets: what a target answered on the central endpoint, per behaviour and per generated case,
//! kept so that a later run can say what *changed* while everything still conforms (a vendor that
//! starts answering 403 where it answered 401, a new field, a reworded message).
//!
//! `--record-observed DIR` writes a run's sets; `--observed DIR` (repeatable: every recorded run of the
//! same target) compares with them. A slot's answers are compared as a multiset of normalised answers
//! (`answer`): which of eight racing requests won, key order, whitespace and media-type parameters are
//! not changes. What differs between the recorded runs themselves is noise, learned from those runs
//! (no extra requests): such a slot is intermittent, and an answer set equal to any recorded one is no
//! change. Everything else is a change, a warning (a failure under `--strict`), named with what differs
//! and the runs it is compared with. Shrinking cases are not part of a set: their inputs depend on
//! what failed.

mod answer;

pub(crate) use answer::{media_type, sorted};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::behaviour::BehaviourId;
use crate::target::Exchange;

/// The format of the files this build writes: 2 keys answers by generated case and normalises them
/// (sorted keys, media type, credential kinds); version 1 directories must be recorded again.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// The file in the directory that records how the sets were made.
const INDEX: &str = "observed.json";

/// How the sets of a directory were made: comparing runs of other seeds compares other cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Index {
    pub format_version: u32,
    pub seed: u64,
    pub cases: u32,
    /// When the run started.
    #[serde(default)]
    pub recorded_at: String,
}

/// Where an answer belongs within its behaviour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Slot {
    /// A behaviour's fixed requests.
    Example,
    /// The n-th generated case of a property (from 1).
    Case(u32),
    /// A shrinking step: not part of any set.
    Shrink,
}

impl Slot {
    fn key(self) -> Option<String> {
        match self {
            Slot::Example => Some("example".to_owned()),
            Slot::Case(n) => Some(format!("case {n}")),
            Slot::Shrink => None,
        }
    }
}

/// Per slot, its answers, normalised and sorted (a multiset).
type Sets = BTreeMap<String, Vec<Value>>;

/// One behaviour's answer sets in one run, as a file holds them.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct File {
    format_version: u32,
    behaviour: String,
    sets: Sets,
}

/// One recorded run.
struct Recorded {
    index: Index,
    behaviours: HashMap<String, Sets>,
}

pub struct Observed {
    /// The recorded runs (`--observed`), oldest first.
    recorded: Vec<Recorded>,
    seen: Mutex<HashMap<BehaviourId, Sets>>,
}

/// Why a directory of observed answers cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ObservedError {
    #[error("cannot read {}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not {what}", path.display())]
    Parse {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
    #[error("{} was recorded in format {found}; this build reads format {FORMAT_VERSION}: record it again", path.display())]
    Format { path: PathBuf, found: u32 },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &'static str) -> Result<T, ObservedError> {
    let text = std::fs::read_to_string(path).map_err(|source| ObservedError::Read { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| ObservedError::Parse { path: path.to_owned(), what, source })
}

/// The seed and cases a directory was recorded with.
pub fn index(dir: &Path) -> Result<Index, ObservedError> {
    let index: Index = read_json(&dir.join(INDEX), "an observed-answers index")?;
    if index.format_version != FORMAT_VERSION {
        return Err(ObservedError::Format { path: dir.to_owned(), found: index.format_version });
    }
    Ok(index)
}

fn read_run(dir: &Path) -> Result<Recorded, ObservedError> {
    let index = index(dir)?;
    let mut behaviours = HashMap::new();
    let entries = std::fs::read_dir(dir).map_err(|source| ObservedError::Read { path: dir.to_owned(), source })?;
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_none_or(|x| x != "json") || path.ends_with(INDEX) {
            continue;
        }
        let f: File = read_json(&path, "an observed answer set")?;
        behaviours.insert(f.behaviour, f.sets);
    }
    Ok(Recorded { index, behaviours })
}

/// The canonical text of a multiset of answers: what "the same answer set" means.
fn identity(answers: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = answers.iter().map(Value::to_string).collect();
    keys.sort();
    keys
}

impl Observed {
    /// Keeps what this run answers; compares it with the runs recorded in `earlier` (oldest first by
    /// their recording time).
    pub(crate) fn new(earlier: &[PathBuf]) -> Result<Observed, ObservedError> {
        let mut recorded = earlier.iter().map(|d| read_run(d)).collect::<Result<Vec<_>, _>>()?;
        recorded.sort_by(|a, b| a.index.recorded_at.cmp(&b.index.recorded_at));
        Ok(Observed { recorded, seen: Mutex::new(HashMap::new()) })
    }

    /// Notes an answer of the central endpoint in `slot` of `behaviour`.
    pub(crate) fn note(&self, behaviour: BehaviourId, slot: Slot, x: &Exchange) {
        let Some(key) = slot.key() else { return };
        let mut seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.entry(behaviour).or_default().entry(key).or_default().push(answer::normalise(x));
    }

    /// The distinct answer sets the recorded runs gave `slot` of `behaviour`, each with the first and
    /// last run (from 1) it was seen in.
    fn history(&self, behaviour: &str, slot: &str) -> Vec<(Vec<Value>, usize, usize)> {
        let mut out: Vec<(Vec<Value>, usize, usize)> = Vec::new();
        for (i, run) in self.recorded.iter().enumerate() {
            let Some(answers) = run.behaviours.get(behaviour).and_then(|s| s.get(slot)) else { continue };
            match out.iter_mut().find(|(a, _, _)| identity(a) == identity(answers)) {
                Some(known) => known.2 = i + 1,
                None => out.push((answers.clone(), i + 1, i + 1)),
            }
        }
        out
    }

    /// What changed in a behaviour's answers since the recorded runs; nothing when none was recorded
    /// or none of them ran this behaviour.
    pub(crate) fn changes(&self, behaviour: BehaviourId) -> Vec<String> {
        if !self.recorded.iter().any(|r| r.behaviours.contains_key(behaviour.0)) {
            return Vec::new();
        }
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let empty = Sets::new();
        let now = seen.get(&behaviour).unwrap_or(&empty);
        let runs = self.recorded.len();
        let mut out = Vec::new();
        for (slot, answers) in now {
            let known = self.history(behaviour.0, slot);
            if known.is_empty() || known.iter().any(|(a, _, _)| identity(a) == identity(answers)) {
                continue;
            }
            // Described against the latest recorded set.
            let latest = known.iter().max_by_key(|k| k.2).map(|k| k.0.clone()).unwrap_or_default();
            let noise = if known.len() > 1 {
                format!("; it varied between them too ({} forms)", known.len())
            } else {
                String::new()
            };
            out.push(format!("{slot}: {} (unlike all {runs} recorded run(s){noise})", difference(&latest, answers)));
        }
        let latest_slots = self.recorded.iter().rev().find_map(|r| r.behaviours.get(behaviour.0));
        if let Some(before) = latest_slots {
            let missing: Vec<&String> = before.keys().filter(|k| !now.contains_key(*k)).collect();
            if !missing.is_empty() && now.len() < before.len() {
                out.push(format!("{} answer set(s) recorded, {} now", before.len(), now.len()));
            }
        }
        out
    }

    /// The slots whose recorded runs disagree among themselves, for the run's summary; `None` when
    /// nothing is compared.
    pub fn noise(&self) -> Option<String> {
        if self.recorded.is_empty() {
            return None;
        }
        let mut varying = Vec::new();
        let mut behaviours: Vec<&String> = self.recorded.iter().flat_map(|r| r.behaviours.keys()).collect();
        behaviours.sort();
        behaviours.dedup();
        for b in behaviours {
            let mut slots: Vec<&String> =
                self.recorded.iter().filter_map(|r| r.behaviours.get(b)).flat_map(|s| s.keys()).collect();
            slots.sort();
            slots.dedup();
            for slot in slots {
                let known = self.history(b, slot);
                if known.len() > 1 {
                    let forms: Vec<String> = known
                        .iter()
                        .map(|(answers, first, last)| format!("[{}] in runs {first}–{last}", shown(answers)))
                        .collect();
                    varying.push(format!("{b} {slot}: {} forms: {}", known.len(), forms.join(", ")));
                }
            }
        }
        let runs = self.recorded.len();
        let head = format!("observed answers: compared with {runs} recorded run(s)");
        Some(if varying.is_empty() {
            format!("{head}; no answer set varied between them")
        } else {
            format!(
                "{head}; intermittent (varied between them, any recorded form is no change): {}",
                varying.join("; ")
            )
        })
    }

    /// Writes every behaviour's answer sets into `dir`, with the index; returns how many files.
    pub(crate) fn write(&self, dir: &Path, seed: u64, cases: u32, recorded_at: &str) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        let index = Index { format_version: FORMAT_VERSION, seed, cases, recorded_at: recorded_at.to_owned() };
        crate::target::redactor::write_artefact(&dir.join(INDEX), serde_json::to_string_pretty(&index)? + "\n")?;
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        for (id, sets) in seen.iter() {
            let sets: Sets = sets
                .iter()
                .map(|(slot, answers)| {
                    let mut a = answers.clone();
                    a.sort_by_key(Value::to_string);
                    (slot.clone(), a)
                })
                .collect();
            let f = File { format_version: FORMAT_VERSION, behaviour: id.0.to_owned(), sets };
            crate::target::redactor::write_artefact(
                &dir.join(format!("{}.json", id.0)),
                serde_json::to_vec_pretty(&f)?,
            )?;
        }
        Ok(seen.len())
    }
}

/// An answer set in a few words: each distinct answer, with how many times it came.
fn shown(answers: &[Value]) -> String {
    let mut counted: Vec<(String, usize)> = Vec::new();
    for a in answers {
        let said = answer::describe_briefly(a);
        match counted.iter_mut().find(|(s, _)| *s == said) {
            Some((_, n)) => *n += 1,
            None => counted.push((said, 1)),
        }
    }
    let parts: Vec<String> = counted.into_iter().map(|(s, n)| if n == 1 { s } else { format!("{s} ×{n}") }).collect();
    parts.join(", ")
}

/// What differs between two answer sets: pairs of answers that differ (matched by status where they
/// can be), answers that went away, and answers that are new.
fn difference(before: &[Value], now: &[Value]) -> String {
    let (mut gone, mut new): (Vec<&Value>, Vec<&Value>) = (before.iter().collect(), Vec::new());
    for a in now {
        match gone.iter().position(|b| identity(std::slice::from_ref(*b)) == identity(std::slice::from_ref(a))) {
            Some(i) => {
                gone.remove(i);
            }
            None => new.push(a),
        }
    }
    let mut parts = Vec::new();
    let mut unpaired_new = Vec::new();
    for a in new {
        let pair = gone.iter().position(|b| b["status"] == a["status"]).or((!gone.is_empty()).then_some(0));
        match pair {
            Some(i) => {
                let b = gone.remove(i);
                parts.extend(answer::describe(b, a));
            }
            None => unpaired_new.push(answer::summary(a)),
        }
    }
    parts.extend(gone.iter().map(|b| format!("answer gone: {}", answer::summary(b))));
    parts.extend(unpaired_new.into_iter().map(|a| format!("new answer: {a}")));
    // The same difference in several answers is said once, with how many.
    let mut counted: Vec<(String, usize)> = Vec::new();
    for p in parts {
        match counted.iter_mut().find(|(q, _)| *q == p) {
            Some((_, n)) => *n += 1,
            None => counted.push((p, 1)),
        }
    }
    let said: Vec<String> =
        counted.into_iter().map(|(p, n)| if n == 1 { p } else { format!("{n} answers: {p}") }).collect();
    said.join("; ")
}

#[cfg(test)]
mod tests {
    use reqwest::StatusCode;
    use serde_json::json;

    use super::*;

    fn record(dir: &Path, id: BehaviourId, answers: &[Exchange], at: &str) {
        let o = Observed::new(&[]).expect("observed");
        for x in answers {
            o.note(id, Slot::Example, x);
        }
        o.write(dir, 7, 8, at).expect("written");
    }

    fn taken() -> Exchange {
        Exchange::synthetic(
            StatusCode::CONFLICT,
            json!({"code": "person_already_set", "message": "409:person_already_set"}),
        )
    }

    fn ok(body: Value) -> Exchange {
        Exchange::synthetic(StatusCode::OK, body)
    }

    /// The false alarm of a conformant target behind a reformatting proxy: the recorded race had its
    /// 200 first and its body's keys in one order; the rerun got the same answers with the keys in
    /// another order and the 200 third (answers come in completion order). Before answer sets this
    /// printed "answer 1 of the central endpoint: status 200 -> 409 ..." and "answer 3 ...: status 409
    /// -> 200 ...": the multiset was keyed on text that depends on key order, and the fallback
    /// compared answers by position.
    #[test]
    fn the_same_answers_in_another_order_and_spelling_are_no_change() {
        let id = BehaviourId("STATE-RACE-ONE-200");
        let dir = std::env::temp_dir().join(format!("verifik-observed-race-{}", std::process::id()));
        record(&dir, id, &[ok(json!({"data": {"_id": "a", "status": "STARTED"}})), taken(), taken()], "1");
        let now = Observed::new(std::slice::from_ref(&dir)).expect("observed");
        let reordered = Exchange::synthetic(
            StatusCode::CONFLICT,
            json!({"message": "409:person_already_set", "code": "person_already_set"}),
        );
        for x in [reordered, taken(), ok(json!({"data": {"status": "STARTED", "_id": "b"}}))] {
            now.note(id, Slot::Example, &x);
        }
        let changes = now.changes(id);
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(changes, Vec::<String>::new());
    }

    /// Two recorded runs that disagree teach what varies on its own: either recorded form is no change,
    /// a third one is, and the summary names the intermittent slot and how many runs it learned from.
    #[test]
    fn what_varied_between_recorded_runs_is_noise_and_anything_else_a_change() {
        let id = BehaviourId("STATE-X");
        let base = std::env::temp_dir().join(format!("verifik-observed-noise-{}", std::process::id()));
        let (one, two) = (base.join("one"), base.join("two"));
        let unauthorized =
            |m: &str| Exchange::synthetic(StatusCode::UNAUTHORIZED, json!({"code": "UNAUTHORIZED", "message": m}));
        record(&one, id, &[unauthorized("Authentication required")], "2026-12-01");
        record(&two, id, &[unauthorized("Token required")], "2026-12-02");
        let compare = |m: &str| {
            let now = Observed::new(&[two.clone(), one.clone()]).expect("observed");
            now.note(id, Slot::Example, &unauthorized(m));
            (now.changes(id), now.noise())
        };
        let (changes, noise) = compare("Authentication required");
        assert_eq!(changes, Vec::<String>::new());
        let noise = noise.expect("a summary");
        assert!(
            noise.contains("compared with 2 recorded run(s)")
                && noise.contains(
                    "STATE-X example: 2 forms: [401 UNAUTHORIZED \"Authentication required\"] in runs 1–1, \
                     [401 UNAUTHORIZED \"Token required\"] in runs 2–2"
                ),
            "{noise}"
        );
        let (changes, _) = compare("Please log in");
        let _ = std::fs::remove_dir_all(&base);
        assert_eq!(
            changes,
            [
                "example: message \"Token required\" -> \"Please log in\" (unlike all 2 recorded run(s); it varied between them too (2 forms))"
            ]
        );
    }
}
