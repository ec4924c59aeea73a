//! `diff`: the same seeded cases against two targets, compared request by request. Each side's answers
//! come from runs of the suite that kept every answer in the order sent (`observed::sequence`), or from
//! directories such runs recorded. Two answers are equal when their normalised forms are (status,
//! media type, code, masked message, body shape): key order, whitespace, fresh ids and which racer
//! won are not differences. What a side's own runs disagree on is its noise: a step differs only when
//! no form one side gave was also given by the other.

pub mod report;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::suite::observed::sequence::slot_order;
use crate::suite::observed::{Sequences, Step, difference};

/// What differs at a step: the most telling field first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Kind {
    Status,
    Code,
    Message,
    /// The body's keys or value types, or the media type.
    Shape,
    /// The sides sent different requests: one stopped earlier, ran other cases, or took another route.
    Sequence,
}

crate::api::closed!(Kind);

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

crate::api::closed!(Side);

/// One run of one side.
#[derive(Debug, Clone, Default)]
pub struct SideRun {
    pub sequences: Sequences,
    /// Behaviours that ran (by id).
    pub ran: BTreeSet<String>,
    /// Behaviours that were skipped, with why.
    pub skipped: BTreeMap<String, String>,
}

/// Every run of one side.
#[derive(Debug, Clone, Default)]
pub struct SideAnswers {
    pub runs: Vec<SideRun>,
}

/// A step (or a slot's length) where no form one side gave was given by the other.
#[derive(Debug, Clone, Serialize)]
pub struct Divergence {
    pub behaviour: String,
    pub kind: Kind,
    /// `example`, `case 3`, or the cases one side ran alone.
    pub slot: String,
    /// The request's number in its slot (from 1); none for a sequence's length.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    /// What differs, left to right, in words.
    pub what: String,
    /// Each side's answers there (redacted summaries).
    pub left: Vec<String>,
    pub right: Vec<String>,
}

/// A behaviour that did not run on both sides.
#[derive(Debug, Clone, Serialize)]
pub struct NotComparable {
    pub behaviour: String,
    pub why: String,
}

/// A step whose answers differed between one side's own runs: noise, set aside.
#[derive(Debug, Clone, Serialize)]
pub struct Varied {
    pub side: Side,
    pub behaviour: String,
    pub slot: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    pub forms: usize,
}

/// Everything a comparison found.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// The behaviours that ran on both sides.
    pub compared: Vec<String>,
    /// Steps both sides sent.
    pub steps: usize,
    pub divergences: Vec<Divergence>,
    pub not_comparable: Vec<NotComparable>,
    pub varied: Vec<Varied>,
    /// Runs of each side.
    pub runs: [usize; 2],
}

impl Comparison {
    /// How many behaviours ran on both sides.
    pub fn behaviours(&self) -> usize {
        self.compared.len()
    }

    pub fn agrees(&self) -> bool {
        self.divergences.is_empty() && self.behaviours() > 0
    }

    /// The chance that a step varying on its own between two equally likely forms (on both sides)
    /// still reads as a divergence: every run of one side shows one form, every run of the other the
    /// other form, `2 · 2^-(l+r)`. It is what the runs per side guarantee.
    pub fn residual_false_alarm(&self) -> f64 {
        let [l, r] = self.runs;
        2f64.powi(1 - i32::try_from(l + r).unwrap_or(i32::MAX))
    }

    /// How many of the divergences may be noise that no run showed, under the same two-form model: a
    /// noisy step is seen varying (on either side) with chance `1 - q`, `q = 2^(2-l-r)`, so the `V`
    /// steps seen varying stand for about `V·q/(1-q)` noisy steps that looked steady on both sides, half
    /// of which read as a divergence. `None` with one run a side: no variation can be seen.
    pub fn unseen_noise_estimate(&self) -> Option<f64> {
        let [l, r] = self.runs;
        if l + r < 3 {
            return None;
        }
        let seen: BTreeSet<(&str, &str, Option<usize>)> = self
            .varied
            .iter()
            .filter(|v| v.step.is_some())
            .map(|v| (v.behaviour.as_str(), v.slot.as_str(), v.step))
            .collect();
        let q = 2f64.powi(2 - i32::try_from(l + r).unwrap_or(i32::MAX));
        Some(seen.len() as f64 * q / (1.0 - q) / 2.0)
    }
}

/// The runs of `side` in which `id` ran, each with its slots (none when it sent nothing).
fn runs_of<'a>(side: &'a SideAnswers, id: &str) -> Vec<&'a BTreeMap<String, Vec<Step>>> {
    static EMPTY: BTreeMap<String, Vec<Step>> = BTreeMap::new();
    side.runs.iter().filter(|r| r.ran.contains(id)).map(|r| r.sequences.get(id).unwrap_or(&EMPTY)).collect()
}

/// Why `id` did not run anywhere on a side.
fn absence(side: &SideAnswers, id: &str) -> String {
    side.runs
        .iter()
        .find_map(|r| r.skipped.get(id).cloned())
        .unwrap_or_else(|| "not run (not selected, or not in the recorded answers)".to_owned())
}

/// The distinct forms of step `i` over `runs`, in the order first seen.
fn forms<'a>(runs: &[&'a BTreeMap<String, Vec<Step>>], slot: &str, i: usize) -> Vec<&'a Step> {
    let mut out: Vec<&Step> = Vec::new();
    for step in runs.iter().filter_map(|r| r.get(slot).and_then(|s| s.get(i))) {
        if !out.iter().any(|s| s.identity() == step.identity()) {
            out.push(step);
        }
    }
    out
}

/// The values of one field of a multiset of answers, sorted.
fn field(step: &Step, name: &str) -> Vec<String> {
    let mut v: Vec<String> = step.answers.iter().map(|a| a[name].to_string()).collect();
    v.sort();
    v
}

/// The kind of difference between two steps, and what it is in words.
fn kind_of(l: &Step, r: &Step) -> (Kind, String) {
    if l.route != r.route || l.answers.len() != r.answers.len() {
        let said = |s: &Step| format!("{} ({} answer(s))", s.route, s.answers.len());
        return (Kind::Sequence, format!("left sent {}, right sent {}", said(l), said(r)));
    }
    let what = format!("left -> right: {}", difference(&l.answers, &r.answers));
    let kind = [("status", Kind::Status), ("code", Kind::Code), ("message", Kind::Message)]
        .into_iter()
        .find(|(name, _)| field(l, name) != field(r, name))
        .map_or(Kind::Shape, |(_, k)| k);
    (kind, what)
}

/// Slot names said compactly: `case 6 to case 32` style runs of consecutive cases.
fn slots_said(slots: &[&String]) -> String {
    let mut cases: Vec<u32> = Vec::new();
    let mut other: Vec<String> = Vec::new();
    for s in slots {
        match slot_order(s) {
            (1, n, _) => cases.push(n),
            _ => other.push((*s).clone()),
        }
    }
    cases.sort_unstable();
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for n in cases {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    other.extend(runs.into_iter().map(|(a, b)| if a == b { format!("case {a}") } else { format!("cases {a}–{b}") }));
    other.join(", ")
}

fn lengths(runs: &[&BTreeMap<String, Vec<Step>>], slot: &str) -> BTreeSet<usize> {
    runs.iter().map(|r| r.get(slot).map_or(0, Vec::len)).collect()
}

fn shown(steps: &[&Step]) -> Vec<String> {
    steps.iter().flat_map(|s| s.shown.iter().cloned()).collect()
}

/// Compares two sides behaviour by behaviour, slot by slot, step by step.
pub fn compare(left: &SideAnswers, right: &SideAnswers) -> Comparison {
    let mut ids: BTreeSet<&String> = BTreeSet::new();
    for run in left.runs.iter().chain(&right.runs) {
        ids.extend(run.ran.iter().chain(run.skipped.keys()).chain(run.sequences.keys()));
    }
    let mut c = Comparison {
        compared: Vec::new(),
        steps: 0,
        divergences: Vec::new(),
        not_comparable: Vec::new(),
        varied: Vec::new(),
        runs: [left.runs.len(), right.runs.len()],
    };
    for id in ids {
        let (l, r) = (runs_of(left, id), runs_of(right, id));
        if l.is_empty() || r.is_empty() {
            let mut why = Vec::new();
            if l.is_empty() {
                why.push(format!("left: {}", absence(left, id)));
            }
            if r.is_empty() {
                why.push(format!("right: {}", absence(right, id)));
            }
            c.not_comparable.push(NotComparable { behaviour: id.clone(), why: why.join("; ") });
            continue;
        }
        c.compared.push(id.clone());
        compare_behaviour(id, &l, &r, &mut c);
    }
    c
}

fn compare_behaviour(
    id: &str,
    l: &[&BTreeMap<String, Vec<Step>>],
    r: &[&BTreeMap<String, Vec<Step>>],
    c: &mut Comparison,
) {
    let slots_of = |runs: &[&BTreeMap<String, Vec<Step>>]| -> BTreeSet<String> {
        runs.iter().flat_map(|m| m.keys().cloned()).collect()
    };
    let (ls, rs) = (slots_of(l), slots_of(r));
    let mut both: Vec<&String> = ls.intersection(&rs).collect();
    both.sort_by_key(|s| slot_order(s));
    for slot in both {
        let (ll, rl) = (lengths(l, slot), lengths(r, slot));
        let common = ll.iter().max().copied().unwrap_or(0).min(rl.iter().max().copied().unwrap_or(0));
        for i in 0..common {
            let (lf, rf) = (forms(l, slot, i), forms(r, slot, i));
            if lf.is_empty() || rf.is_empty() {
                continue;
            }
            c.steps += 1;
            for (side, f) in [(Side::Left, &lf), (Side::Right, &rf)] {
                if f.len() > 1 {
                    let (behaviour, slot) = (id.to_owned(), slot.clone());
                    c.varied.push(Varied { side, behaviour, slot, step: Some(i + 1), forms: f.len() });
                }
            }
            if lf.iter().any(|a| rf.iter().any(|b| a.identity() == b.identity())) {
                continue;
            }
            let (kind, what) = kind_of(lf[0], rf[0]);
            c.divergences.push(Divergence {
                behaviour: id.to_owned(),
                kind,
                slot: slot.clone(),
                step: Some(i + 1),
                what,
                left: shown(&lf),
                right: shown(&rf),
            });
        }
        for (side, lens) in [(Side::Left, &ll), (Side::Right, &rl)] {
            if lens.len() > 1 {
                let (behaviour, slot) = (id.to_owned(), slot.clone());
                c.varied.push(Varied { side, behaviour, slot, step: None, forms: lens.len() });
            }
        }
        if ll.is_disjoint(&rl) {
            let said = |s: &BTreeSet<usize>| s.iter().map(usize::to_string).collect::<Vec<_>>().join(" or ");
            let beyond = |runs: &[&BTreeMap<String, Vec<Step>>]| -> Vec<String> {
                let steps: Vec<&Step> =
                    runs.iter().filter_map(|m| m.get(slot)).flat_map(|s| s.iter().skip(common)).collect();
                let mut routes: Vec<String> = steps.iter().map(|s| s.route.clone()).collect();
                routes.dedup();
                routes
            };
            c.divergences.push(Divergence {
                behaviour: id.to_owned(),
                kind: Kind::Sequence,
                slot: slot.clone(),
                step: None,
                what: format!("left sent {} request(s), right sent {}", said(&ll), said(&rl)),
                left: beyond(l),
                right: beyond(r),
            });
        }
    }
    // Cases one side ran and the other did not: a divergence only when the sides' case counts never
    // met (a property that stops at a failing case on one side), not when a side's own runs varied.
    let counts = |runs: &[&BTreeMap<String, Vec<Step>>]| -> BTreeSet<usize> {
        runs.iter().map(|m| m.keys().filter(|k| slot_order(k).0 == 1).count()).collect()
    };
    let (lc, rc) = (counts(l), counts(r));
    for (side, cs) in [(Side::Left, &lc), (Side::Right, &rc)] {
        if cs.len() > 1 {
            let behaviour = id.to_owned();
            c.varied.push(Varied { side, behaviour, slot: "cases".to_owned(), step: None, forms: cs.len() });
        }
    }
    if lc.is_disjoint(&rc) {
        let alone: Vec<&String> = ls.symmetric_difference(&rs).collect();
        let said = |s: &BTreeSet<usize>| s.iter().map(usize::to_string).collect::<Vec<_>>().join(" or ");
        c.divergences.push(Divergence {
            behaviour: id.to_owned(),
            kind: Kind::Sequence,
            slot: slots_said(&alone),
            step: None,
            what: format!(
                "left ran {} case(s), right ran {} (a side stopped at a failing case, or ran other cases)",
                said(&lc),
                said(&rc)
            ),
            left: Vec::new(),
            right: Vec::new(),
        });
    }
}

/// A side's run as `compare` reads it, from a run's answers and its trials' outcomes. A behaviour that
/// was not run because the target was given up or the time ran out is not comparable, like a skipped
/// one: its missing answers say nothing about how the target answers.
pub fn side_run(sequences: Sequences, records: &[crate::suite::runner::TrialRecord]) -> SideRun {
    use crate::suite::Outcome;
    use crate::suite::finding::Check;
    let mut run = SideRun { sequences, ..SideRun::default() };
    for r in records {
        let id = r.id().to_owned();
        let why = match &r.outcome {
            Outcome::Skipped(why) => Some(why.clone()),
            Outcome::Failed { violations, .. } if violations.iter().all(|v| v.check == Check::Target) => {
                Some(violations.iter().map(|v| v.message.to_string()).collect::<Vec<_>>().join("; "))
            }
            _ => None,
        };
        match why {
            Some(why) => {
                let why = crate::target::untrusted::Untrusted::from(why.as_str()).redacted().to_string();
                run.skipped.insert(id, why);
            }
            None => {
                run.ran.insert(id);
            }
        }
    }
    run
}

/// A recorded directory as a side's run.
pub fn recorded_run(dir: &std::path::Path) -> Result<(crate::suite::observed::Index, SideRun), String> {
    let (index, sequences) = crate::suite::observed::read_sequences(dir).map_err(|e| crate::error_chain(&e))?;
    let ran = index.ran.iter().cloned().collect();
    Ok((index, SideRun { sequences, ran, skipped: BTreeMap::new() }))
}

#[cfg(test)]
mod tests;
