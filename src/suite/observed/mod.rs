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
pub mod sequence;

pub use answer::difference;
pub(crate) use answer::{media_type, sorted};
pub use sequence::{Sequences, Step, read as read_sequences};

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::behaviour::BehaviourId;
use crate::target::Exchange;

/// The format of the files this build writes: 2 keys answers by generated case and normalises them
/// (sorted keys, media type, credential kinds); 3 adds every route's answers in the order sent and
/// the behaviours that ran (what `diff` reads). Versions 1 and 2 are still read as answer sets.
pub const FORMAT_VERSION: u32 = 3;
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
    /// The behaviours that ran (format 3): one absent from this list was skipped or not selected.
    #[serde(default)]
    pub ran: Vec<String>,
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
    pub(crate) fn key(self) -> Option<String> {
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
    /// Per slot, every route's answers in the order sent (format 3).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    sequences: BTreeMap<String, sequence::Steps>,
}

/// One recorded run.
struct Recorded {
    index: Index,
    behaviours: HashMap<String, Sets>,
}

pub struct Observed {
    /// The recorded runs (`--observed`), oldest first.
    recorded: Vec<Recorded>,
    /// The target's expectations (`--expectations`), when given.
    expected: Option<std::sync::Arc<super::expectations::Expectations>>,
    seen: Mutex<HashMap<BehaviourId, Sets>>,
    /// Every answer in the order sent, when kept (`keeping_sequences`).
    steps: Option<sequence::Recorder>,
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
    #[error("{} was recorded in format {found}, which keeps no answer sequences: record it again with this build", path.display())]
    NoSequences { path: PathBuf, found: u32 },
}

fn read_json<T: serde::de::DeserializeOwned>(path: &Path, what: &'static str) -> Result<T, ObservedError> {
    let text = std::fs::read_to_string(path).map_err(|source| ObservedError::Read { path: path.to_owned(), source })?;
    serde_json::from_str(&text).map_err(|source| ObservedError::Parse { path: path.to_owned(), what, source })
}

/// The seed and cases a directory was recorded with.
pub fn index(dir: &Path) -> Result<Index, ObservedError> {
    let index: Index = read_json(&dir.join(INDEX), "an observed-answers index")?;
    if !(1..=FORMAT_VERSION).contains(&index.format_version) {
        return Err(ObservedError::Format { path: dir.to_owned(), found: index.format_version });
    }
    Ok(index)
}

/// A format 1 file: a behaviour's answers in the order they came, without slots or media type.
#[derive(Debug, Deserialize)]
struct LegacyFile {
    behaviour: String,
    answers: Vec<Value>,
}

/// The slot a format 1 run's answers are compared in: all of a behaviour's answers together.
const LEGACY_SLOT: &str = "all answers (format 1)";

/// A run's answers of `behaviour` as format 1 recorded them: every slot together, without media type.
fn legacy_form(sets: &Sets) -> Vec<Value> {
    sets.values()
        .flatten()
        .map(|a| {
            let mut a = a.clone();
            if let Value::Object(m) = &mut a {
                m.shift_remove("media");
            }
            a
        })
        .collect()
}

fn read_run(dir: &Path) -> Result<Recorded, ObservedError> {
    let index = index(dir)?;
    let mut behaviours = HashMap::new();
    let entries = std::fs::read_dir(dir).map_err(|source| ObservedError::Read { path: dir.to_owned(), source })?;
    for path in entries.flatten().map(|e| e.path()) {
        if path.extension().is_none_or(|x| x != "json") || path.ends_with(INDEX) {
            continue;
        }
        if index.format_version == 1 {
            // Still read, as scripts hold such directories: keys sorted now, compared all together.
            let f: LegacyFile = read_json(&path, "an observed snapshot (format 1)")?;
            let answers = f.answers.iter().map(sorted).collect();
            behaviours.insert(f.behaviour, Sets::from([(LEGACY_SLOT.to_owned(), answers)]));
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
        Ok(Observed { recorded, expected: None, seen: Mutex::new(HashMap::new()), steps: None })
    }

    /// Also keeps every answer of every route in the order sent (for `diff` and recorded directories).
    pub(crate) fn keeping_sequences(mut self) -> Observed {
        self.steps = Some(sequence::Recorder::default());
        self
    }

    /// Also judges answer sets against `expectations`.
    pub(crate) fn expecting(mut self, expectations: std::sync::Arc<super::expectations::Expectations>) -> Observed {
        self.expected = Some(expectations);
        self
    }

    /// Every answer set of this run, by behaviour, for `--update-expectations`.
    pub fn sets(&self) -> HashMap<String, BTreeMap<String, Vec<Value>>> {
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        seen.iter()
            .map(|(id, sets)| {
                let sorted = sets
                    .iter()
                    .map(|(slot, answers)| {
                        let mut a = answers.clone();
                        a.sort_by_key(Value::to_string);
                        (slot.clone(), a)
                    })
                    .collect();
                (id.0.to_owned(), sorted)
            })
            .collect()
    }

    /// The slots of `behaviour` whose answers are unlike every form their expectation holds, each with
    /// what differs and whether the expectation gates.
    pub(crate) fn expectation_changes(&self, behaviour: BehaviourId) -> Vec<(String, super::expectations::State)> {
        use super::expectations::Judgement;
        let Some(expected) = &self.expected else { return Vec::new() };
        let seen = self.seen.lock().unwrap_or_else(|p| p.into_inner());
        let Some(now) = seen.get(&behaviour) else { return Vec::new() };
        let mut out = Vec::new();
        for (slot, answers) in now {
            if let Judgement::Changed { state, latest } = expected.judge(behaviour.0, slot, answers) {
                let label = match state {
                    super::expectations::State::Gating => "a gating expectation",
                    super::expectations::State::Candidate => "a candidate expectation",
                };
                out.push((format!("{slot}: {} (unlike {label})", answer::difference(&latest, answers)), state));
            }
        }
        out
    }

    /// Notes an answer of any route in `slot` of `behaviour`, for its sequence; `batch` names the
    /// requests sent together with it.
    pub(crate) fn note_step(
        &self,
        behaviour: BehaviourId,
        slot: Slot,
        batch: Option<u64>,
        call: &crate::target::Call,
        x: &Exchange,
    ) {
        if let Some(steps) = &self.steps {
            steps.note(behaviour, slot, batch, call, x);
        }
    }

    /// Every behaviour's answer sequences.
    pub fn sequences(&self) -> Sequences {
        self.steps.as_ref().map(sequence::Recorder::sequences).unwrap_or_default()
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
        let mut now = seen.get(&behaviour).unwrap_or(&empty).clone();
        if self.recorded.iter().any(|r| r.index.format_version == 1) {
            now.insert(LEGACY_SLOT.to_owned(), legacy_form(&now));
        }
        let now = &now;
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
            out.push(format!(
                "{slot}: {} (unlike all {runs} recorded run(s){noise})",
                answer::difference(&latest, answers)
            ));
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
                        .map(|(answers, first, last)| format!("[{}] in runs {first}–{last}", answer::shown(answers)))
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
    pub(crate) fn write(&self, dir: &Path, index: Index) -> std::io::Result<usize> {
        std::fs::create_dir_all(dir)?;
        crate::target::redactor::write_artefact(&dir.join(INDEX), serde_json::to_string_pretty(&index)? + "\n")?;
        let mut all = self.sets();
        let mut sequences = self.sequences();
        for id in sequences.keys() {
            all.entry(id.clone()).or_default();
        }
        for (id, sets) in &all {
            let f = File {
                format_version: FORMAT_VERSION,
                behaviour: id.clone(),
                sets: sets.clone(),
                sequences: sequences.remove(id).unwrap_or_default(),
            };
            crate::target::redactor::write_artefact(&dir.join(format!("{id}.json")), serde_json::to_vec_pretty(&f)?)?;
        }
        Ok(all.len())
    }
}

#[cfg(test)]
mod tests;
