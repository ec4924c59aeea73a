//! One expectations file per target (`run --expectations FILE`): what a watched target is expected to
//! answer, written by the machine (`--update-expectations`) and reviewed as a diff. It holds the known
//! deviations (accepted findings, with reason, link and expiry) and the expected answer sets (per
//! behaviour and slot, every form seen, with the runs it was first and last seen in).
//!
//! The state machine of an answer set:
//!
//! * a new expectation is a **candidate**: a different answer only warns;
//! * after `gate_after` consecutive runs that confirm it (3 by default) it **gates**: a different answer
//!   fails (under `--strict`, and always for documented behaviours);
//! * a second form makes it **intermittent**; a form not seen for `intermittent_expiry` runs (5 by
//!   default) expires;
//! * an update that meets a new form starts the count again: the changed expectation is a candidate;
//! * a known deviation expires on its date (it fails the run from that day until renewed or removed).
//!
//! The file is JSON in a stable order (maps sorted, forms in the order first seen), so a review diff
//! shows only what changed; it is written through the run's redacting writer.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::baseline::Entry;

/// The expectations file format this build reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// Whether a different answer fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Not yet confirmed often enough: a difference warns.
    Candidate,
    /// Confirmed by `gate_after` consecutive runs: a difference fails.
    Gating,
}

/// A run that confirmed something, and when it started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmed {
    pub run: u32,
    pub at: String,
}

/// One form an answer set took, and the runs it was first and last seen in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Form {
    pub answers: Vec<Value>,
    pub first_run: u32,
    pub last_run: u32,
}

/// What one slot of one behaviour is expected to answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expectation {
    pub state: State,
    /// Consecutive updates whose answers matched one of the forms.
    pub streak: u32,
    pub first_confirmed: Confirmed,
    pub last_confirmed: Confirmed,
    /// Every form still expected; more than one is an intermittent answer.
    pub forms: Vec<Form>,
}

/// A target's expectations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Expectations {
    pub format_version: u32,
    /// Consecutive confirming runs after which a candidate gates.
    pub gate_after: u32,
    /// Runs after which a form not seen again expires.
    pub intermittent_expiry: u32,
    /// The number of the last run that updated the file.
    pub runs: u32,
    #[serde(default)]
    pub known_deviations: Vec<Entry>,
    /// Per behaviour, per slot.
    #[serde(default)]
    pub answer_sets: BTreeMap<String, BTreeMap<String, Expectation>>,
}

impl Default for Expectations {
    fn default() -> Expectations {
        Expectations {
            format_version: FORMAT_VERSION,
            gate_after: 3,
            intermittent_expiry: 5,
            runs: 0,
            known_deviations: Vec::new(),
            answer_sets: BTreeMap::new(),
        }
    }
}

/// How this run's answers stand against an expectation.
#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    /// One of the expected forms.
    Expected,
    /// None of them: described against the latest form, with the expectation's state.
    Changed { state: State, latest: Vec<Value> },
    /// Nothing was expected of this slot yet.
    New,
}

/// What an update did, a line each, for the run's output.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Update {
    pub added: Vec<String>,
    pub promoted: Vec<String>,
    pub expired: Vec<String>,
    pub removed: Vec<String>,
}

/// The canonical text of a multiset of normalised answers.
fn identity(answers: &[Value]) -> Vec<String> {
    let mut keys: Vec<String> = answers.iter().map(Value::to_string).collect();
    keys.sort();
    keys
}

impl Expectations {
    pub fn load(path: &Path) -> Result<Expectations, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let e: Expectations =
            serde_json::from_str(&text).map_err(|e| format!("{} is not an expectations file: {e}", path.display()))?;
        if e.format_version != FORMAT_VERSION {
            return Err(format!(
                "{} is expectations format {}; this build reads {FORMAT_VERSION}",
                path.display(),
                e.format_version
            ));
        }
        if e.gate_after == 0 || e.intermittent_expiry == 0 {
            return Err(format!("{}: gate_after and intermittent_expiry must be at least 1", path.display()));
        }
        Ok(e)
    }

    /// How `answers` of `slot` of `behaviour` stand against what is expected.
    pub fn judge(&self, behaviour: &str, slot: &str, answers: &[Value]) -> Judgement {
        let Some(e) = self.answer_sets.get(behaviour).and_then(|s| s.get(slot)) else { return Judgement::New };
        if e.forms.iter().any(|f| identity(&f.answers) == identity(answers)) {
            return Judgement::Expected;
        }
        let latest = e.forms.iter().max_by_key(|f| f.last_run).map(|f| f.answers.clone()).unwrap_or_default();
        Judgement::Changed { state: e.state, latest }
    }

    /// Takes one run's answer sets (per behaviour that ran, per slot) and its findings' known-deviation
    /// entries into the file: the state machine of the module's description.
    pub fn update(
        &mut self,
        sets: &HashMap<String, BTreeMap<String, Vec<Value>>>,
        known: Vec<Entry>,
        started_at: &str,
        today: chrono::NaiveDate,
    ) -> Update {
        let run = self.runs + 1;
        self.runs = run;
        let mut out = Update::default();
        let confirmed = Confirmed { run, at: started_at.to_owned() };
        let mut behaviours: Vec<&String> = sets.keys().collect();
        behaviours.sort();
        for behaviour in behaviours {
            let slots = self.answer_sets.entry(behaviour.clone()).or_default();
            for (slot, answers) in &sets[behaviour] {
                let name = format!("{behaviour} {slot}");
                let Some(e) = slots.get_mut(slot) else {
                    let form = Form { answers: answers.clone(), first_run: run, last_run: run };
                    let e = Expectation {
                        state: State::Candidate,
                        streak: 1,
                        first_confirmed: confirmed.clone(),
                        last_confirmed: confirmed.clone(),
                        forms: vec![form],
                    };
                    slots.insert(slot.clone(), e);
                    out.added.push(format!("{name}: a new expectation, candidate (1 of {} runs)", self.gate_after));
                    continue;
                };
                match e.forms.iter_mut().find(|f| identity(&f.answers) == identity(answers)) {
                    Some(form) => {
                        form.last_run = run;
                        e.streak += 1;
                        e.last_confirmed = confirmed.clone();
                        if e.state == State::Candidate && e.streak >= self.gate_after {
                            e.state = State::Gating;
                            out.promoted.push(format!("{name}: gates after {} confirming runs", e.streak));
                        }
                    }
                    None => {
                        e.forms.push(Form { answers: answers.clone(), first_run: run, last_run: run });
                        e.streak = 1;
                        e.state = State::Candidate;
                        e.last_confirmed = confirmed.clone();
                        out.added.push(format!(
                            "{name}: a new form ({} now), candidate again (1 of {} runs)",
                            e.forms.len(),
                            self.gate_after
                        ));
                    }
                }
                let expiry = self.intermittent_expiry;
                let before = e.forms.len();
                e.forms.retain(|f| run - f.last_run < expiry);
                if e.forms.len() < before {
                    out.expired.push(format!(
                        "{name}: {} form(s) not seen for {expiry} runs expired; {} left",
                        before - e.forms.len(),
                        e.forms.len()
                    ));
                }
            }
            let gone: Vec<String> = slots.keys().filter(|s| !sets[behaviour].contains_key(*s)).cloned().collect();
            for slot in gone {
                slots.remove(&slot);
                out.removed.push(format!("{behaviour} {slot}: no longer answered"));
            }
        }
        self.answer_sets.retain(|_, slots| !slots.is_empty());
        let describe =
            |e: &Entry| format!("{} {} (expires {})", e.behaviour, e.check, e.expires.as_deref().unwrap_or("never"));
        let expired: BTreeSet<String> = self
            .known_deviations
            .iter()
            .filter(|e| e.expires.as_deref().and_then(super::baseline::parse_day).is_some_and(|d| d <= today))
            .map(describe)
            .collect();
        out.expired.extend(expired.iter().map(|e| format!("known deviation {e}: expired")));
        let old: BTreeSet<String> = self.known_deviations.iter().map(describe).collect();
        let kept: Vec<Entry> = known.into_iter().filter(|e| !expired.contains(&describe(e))).collect();
        let new: BTreeSet<String> = kept.iter().map(describe).collect();
        out.added.extend(new.difference(&old).map(|e| format!("known deviation {e}: added")));
        out.removed.extend(
            old.difference(&new)
                .filter(|e| !expired.contains(*e))
                .map(|e| format!("known deviation {e}: no longer found")),
        );
        self.known_deviations = kept;
        out
    }

    /// Writes the file through the run's redacting writer, in a stable order.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_string_pretty(self).map_err(std::io::Error::other)? + "\n";
        crate::target::redactor::write_artefact(path, text)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn sets(slot_answers: &[(&str, &str, Value)]) -> HashMap<String, BTreeMap<String, Vec<Value>>> {
        let mut out: HashMap<String, BTreeMap<String, Vec<Value>>> = HashMap::new();
        for (b, slot, a) in slot_answers {
            out.entry((*b).to_owned()).or_default().insert((*slot).to_owned(), vec![a.clone()]);
        }
        out
    }

    fn day(s: &str) -> chrono::NaiveDate {
        super::super::baseline::parse_day(s).expect("a day")
    }

    /// Candidate → gating after three confirming runs → a change is judged against a gating entry;
    /// an update that accepts it makes it a candidate again; the old form expires after five runs.
    #[test]
    fn candidate_gates_after_three_runs_and_an_intermittent_form_expires() {
        let (a401, a403) = (json!({"status": 401}), json!({"status": 403}));
        let mut e = Expectations::default();
        let today = day("2026-12-04");
        let first = e.update(&sets(&[("AUTH-X", "example", a401.clone())]), Vec::new(), "t1", today);
        assert_eq!(first.added, ["AUTH-X example: a new expectation, candidate (1 of 3 runs)"]);
        assert!(matches!(
            e.judge("AUTH-X", "example", std::slice::from_ref(&a403)),
            Judgement::Changed { state: State::Candidate, .. }
        ));
        e.update(&sets(&[("AUTH-X", "example", a401.clone())]), Vec::new(), "t2", today);
        let third = e.update(&sets(&[("AUTH-X", "example", a401.clone())]), Vec::new(), "t3", today);
        assert_eq!(third.promoted, ["AUTH-X example: gates after 3 confirming runs"]);
        assert_eq!(e.judge("AUTH-X", "example", std::slice::from_ref(&a401)), Judgement::Expected);
        assert!(matches!(
            e.judge("AUTH-X", "example", std::slice::from_ref(&a403)),
            Judgement::Changed { state: State::Gating, .. }
        ));
        // Accepting the change: a second form, a candidate again.
        let fourth = e.update(&sets(&[("AUTH-X", "example", a403.clone())]), Vec::new(), "t4", today);
        assert_eq!(fourth.added, ["AUTH-X example: a new form (2 now), candidate again (1 of 3 runs)"]);
        assert_eq!(
            e.judge("AUTH-X", "example", std::slice::from_ref(&a401)),
            Judgement::Expected,
            "intermittent: both forms"
        );
        // The 401 form was last seen in run 3; by run 8 it has not been seen for 5 runs.
        let mut last = Update::default();
        for t in ["t5", "t6", "t7", "t8"] {
            last = e.update(&sets(&[("AUTH-X", "example", a403.clone())]), Vec::new(), t, today);
        }
        assert_eq!(last.expired, ["AUTH-X example: 1 form(s) not seen for 5 runs expired; 1 left"]);
        assert!(matches!(e.judge("AUTH-X", "example", &[a401]), Judgement::Changed { state: State::Gating, .. }));
    }

    #[test]
    fn a_known_deviation_expires_on_its_date_and_a_gone_slot_is_removed() {
        let entry = |expires: Option<&str>| Entry {
            behaviour: "AUTH-Y".into(),
            check: "status".into(),
            signature: Default::default(),
            reason: "the vendor answers 403".into(),
            expires: expires.map(str::to_owned),
            ticket: None,
        };
        let mut e = Expectations::default();
        let one = e.update(
            &sets(&[("AUTH-Y", "example", json!(1))]),
            vec![entry(Some("2026-12-10"))],
            "t1",
            day("2026-12-04"),
        );
        assert_eq!(
            one.added.last().map(String::as_str),
            Some("known deviation AUTH-Y status (expires 2026-12-10): added")
        );
        let two = e.update(
            &sets(&[("AUTH-Y", "case 1", json!(1))]),
            vec![entry(Some("2026-12-10"))],
            "t2",
            day("2026-12-10"),
        );
        assert_eq!(two.expired, ["known deviation AUTH-Y status (expires 2026-12-10): expired"]);
        assert_eq!(two.removed, ["AUTH-Y example: no longer answered"]);
        assert!(e.known_deviations.is_empty());
    }
}
