//! What a run would do, without doing it: the human `--list` (each behaviour with its statement,
//! strictness and source) and the `--dry-run` plan with request and credit counts.

use std::fmt::Write as _;

use super::behaviour::{Behaviour, Kind};
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

/// The `--dry-run` plan for `cases` generated cases per property.
pub fn plan(catalogue: &[&Behaviour], cases: u32) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<48} {:>15} {:>14}   runs with: PS = provider states, CT = a client token, RT = handed-in registration tokens, - = none",
        "behaviour", "requests", "charging"
    );
    let (mut requests, mut charging) = (0u64, 0u64);
    for b in catalogue {
        let times = if b.kind == Kind::Property { u64::from(cases) } else { 1 };
        // Properties also set up one registration and read it back once.
        let fixed = if b.kind == Kind::Property { 2 } else { 0 };
        let r = u64::from(b.cost.requests) * times + fixed;
        let c = u64::from(b.cost.charging) * times;
        requests += r;
        charging += c;
        let marks: Vec<&str> = SETUPS
            .iter()
            .zip(["PS", "CT", "RT", "-"])
            .map(|((_, gives), mark)| if unlocked(b, gives) { mark } else { "  " })
            .collect();
        let _ = writeln!(out, "{:<48} {:>6} requests {:>5} charging   {}", b.trial_name(), r, c, marks.join(" "));
    }
    let _ = writeln!(
        out,
        "\n{} behaviours, about {requests} requests, of which {charging} may charge a credit (at most; shrinking a failure adds up to 64 per property)",
        catalogue.len()
    );
    for (setup, gives) in SETUPS {
        let n = catalogue.iter().filter(|b| unlocked(b, gives)).count();
        let _ = writeln!(out, "set-up {setup:<20} unlocks {n:>2} of {}", catalogue.len());
    }
    out
}
