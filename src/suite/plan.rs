//! What a run would do, without doing it: the human `--list` (each behaviour with its statement,
//! strictness and source) and the `--dry-run` plan with request and credit counts.

use std::fmt::Write as _;

use super::behaviour::{Behaviour, Kind};

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

/// The `--dry-run` plan for `cases` generated cases per property.
pub fn plan(catalogue: &[&Behaviour], cases: u32) -> String {
    let mut out = String::new();
    let (mut requests, mut charging) = (0u64, 0u64);
    for b in catalogue {
        let times = if b.kind == Kind::Property { u64::from(cases) } else { 1 };
        // Properties also set up one registration and read it back once.
        let fixed = if b.kind == Kind::Property { 2 } else { 0 };
        let r = u64::from(b.cost.requests) * times + fixed;
        let c = u64::from(b.cost.charging) * times;
        requests += r;
        charging += c;
        let _ = writeln!(out, "{:<48} {:>6} requests {:>5} charging", b.trial_name(), r, c);
    }
    let _ = writeln!(
        out,
        "\n{} behaviours, about {requests} requests, of which {charging} may charge a credit (at most; shrinking a failure adds up to 64 per property)",
        catalogue.len()
    );
    out
}
