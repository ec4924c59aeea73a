//! What a run would do, without doing it: the human `--list` (each behaviour with its statement,
//! strictness and source) and the `--dry-run` plan with request and credit counts.

use std::fmt::Write as _;

use super::behaviour::{Kind, Strictness};
use super::catalogue::Behaviour;
use crate::target::Capability;

/// The catalogue as `--list` shows it to a person. (`--list --format terse` stays libtest's format,
/// which nextest reads.)
pub fn listing(catalogue: &[&Behaviour]) -> String {
    let mut out = String::new();
    for b in catalogue {
        let needs = if b.needs.is_empty() { String::new() } else { format!("; needs {:?}", b.needs) };
        let _ = writeln!(
            out,
            "{}: test\n    [{}, {:?}{needs}] {}\n    source: {}",
            b.trial_name(),
            b.strictness,
            b.kind,
            b.statement,
            b.source
        );
    }
    let _ = writeln!(out, "\n{} behaviours", catalogue.len());
    out
}

/// The kinds of set-up a target may offer, and what each gives (see `Capability`).
const SETUPS: [(&str, &[Capability]); 4] = [
    (
        "provider states",
        &[Capability::Registration, Capability::SetUp, Capability::ProviderStates, Capability::ClientToken],
    ),
    ("client token", &[Capability::Registration, Capability::SetUp, Capability::ClientToken]),
    ("registration tokens", &[Capability::Registration]),
    ("none", &[]),
];

/// Whether a target with this set-up can run `b`.
fn unlocked(b: &Behaviour, gives: &[Capability]) -> bool {
    b.needs.iter().all(|n| gives.contains(n))
}

/// What a behaviour costs for `cases` generated cases per property: all requests, validation requests
/// (posts to the central endpoint, which the vendor limits per project and hour) and requests that
/// may charge a credit. Shrinking a failure adds up to 64 per property, which no plan can know.
pub(crate) fn cost_of(b: &Behaviour, cases: u32) -> (u64, u64, u64) {
    let times = if b.kind == Kind::Property { u64::from(cases) } else { 1 };
    // Properties also set up one registration and read it back once.
    let fixed = if b.kind == Kind::Property { 2 } else { 0 };
    let validations = u64::from(b.cost.requests) * times;
    (validations + fixed, validations, u64::from(b.cost.charging) * times)
}

/// What a run may spend: charged requests (`--budget-credits`) and validation requests
/// (`--budget-validations`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub credits: Option<u64>,
    pub validations: Option<u64>,
}

/// The behaviours a run takes under its limits, and those left out with the reason.
pub struct Budgeted<'a> {
    pub chosen: Vec<&'a Behaviour>,
    pub left_out: Vec<(&'a Behaviour, String)>,
}

/// Chooses, before anything is sent, the behaviours that fit: documented ones first, then those that
/// catch the most deviations of the self-test, then the cheaper; each is taken when it still fits.
pub fn choose<'a>(catalogue: &[&'a Behaviour], cases: u32, limits: Limits) -> Budgeted<'a> {
    let mut ranked: Vec<&Behaviour> = catalogue.to_vec();
    ranked.sort_by_key(|b| {
        let (_, validations, charging) = cost_of(b, cases);
        (
            b.strictness != Strictness::Documented,
            std::cmp::Reverse(b.broken_by.len()),
            charging,
            validations,
            b.trial_name(),
        )
    });
    let (mut credits, mut validations) = (0u64, 0u64);
    let mut out = Budgeted { chosen: Vec::new(), left_out: Vec::new() };
    for b in ranked {
        let (_, v, c) = cost_of(b, cases);
        let over_credits = limits.credits.filter(|max| credits + c > *max);
        let over_validations = limits.validations.filter(|max| validations + v > *max);
        match (over_credits, over_validations) {
            (Some(max), _) => out.left_out.push((
                b,
                format!("left out of the plan: {c} charged request(s) do not fit the --budget-credits {max} ({} left)", max - credits),
            )),
            (None, Some(max)) => out.left_out.push((
                b,
                format!(
                    "left out of the plan: {v} validation request(s) do not fit the budget of {max} ({} left; the vendor allows 100 per hour per project)",
                    max - validations
                ),
            )),
            (None, None) => {
                credits += c;
                validations += v;
                out.chosen.push(b);
            }
        }
    }
    out.chosen.sort_by_key(|b| b.trial_name());
    out
}

/// The `--dry-run` plan for `cases` generated cases per property under `limits`.
pub fn plan(catalogue: &[&Behaviour], cases: u32, limits: Limits) -> String {
    let budgeted = choose(catalogue, cases, limits);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<48} {:<11} {:>8} {:>12} {:>9} {:>7}   runs with: PS = provider states, CT = a client token, RT = handed-in registration tokens, - = none",
        "behaviour", "strictness", "requests", "validations", "charging", "catches"
    );
    let (mut requests, mut validations, mut charging) = (0u64, 0u64, 0u64);
    for b in &budgeted.chosen {
        let (r, v, c) = cost_of(b, cases);
        requests += r;
        validations += v;
        charging += c;
        let marks: Vec<&str> = SETUPS
            .iter()
            .zip(["PS", "CT", "RT", "-"])
            .map(|((_, gives), mark)| if unlocked(b, gives) { mark } else { "  " })
            .collect();
        let _ = writeln!(
            out,
            "{:<48} {:<11} {r:>8} {v:>12} {c:>9} {:>7}   {}",
            b.trial_name(),
            b.strictness.to_string(),
            b.broken_by.len(),
            marks.join(" ")
        );
    }
    let _ = writeln!(
        out,
        "\n{} behaviours, about {requests} requests, {validations} validation requests, {charging} charged requests at most (shrinking a failure adds up to 64 per property)",
        budgeted.chosen.len()
    );
    if limits != Limits::default() {
        let shown = |l: Option<u64>| l.map_or_else(|| "none".to_owned(), |v| v.to_string());
        let _ = writeln!(
            out,
            "budget: {} charged requests, {} validation requests",
            shown(limits.credits),
            shown(limits.validations)
        );
    }
    for (b, why) in &budgeted.left_out {
        let _ = writeln!(out, "skipped {}: {why}", b.trial_name());
    }
    for (setup, gives) in SETUPS {
        let n = budgeted.chosen.iter().filter(|b| unlocked(b, gives)).count();
        let _ = writeln!(out, "set-up {setup:<20} unlocks {n:>2} of {}", budgeted.chosen.len());
    }
    out
}
