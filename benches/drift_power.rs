//! `cargo bench --bench drift_power [R]`: how small a shift of a vendor's liveness scores `compare`
//! catches, and how often it cries wolf, when scores are noisy. One real run of the embedded
//! emulator over the fixture set gives the engine's scores; each simulated run then applies the
//! emulator's own seeded noise and shift (`emulator::noise::ScoreNoise`, what `--liveness-noise` and
//! `--liveness-shift` do) and decides by the disclosed threshold. For noise 0, 0.01 and 0.02 it runs
//! R pairs (default 50) per shift of 0.02, 0.05 and 0.10 (downwards, as a stricter model) and R
//! unchanged reruns, and prints the detection and false-alarm rates of `compare`'s verdict.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::Instant;

use verifik_conformance::api::{Os, Score};
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::liveness::compare::{Verdict, compare};
use verifik_conformance::liveness::record::{Decision, RunFile, record};
use verifik_conformance::suite::{Ctx, RunSettings};

/// A run of the same presentations with the emulator's noise and shift applied to every score.
fn perturbed(base: &RunFile, noise: ScoreNoise) -> RunFile {
    let threshold = base.threshold.unwrap_or(0.6);
    let mut run = base.clone();
    for s in &mut run.samples {
        let (Some(score), true) = (s.score, matches!(s.decision, Decision::Pass | Decision::ScoreReject)) else {
            continue;
        };
        let Ok(score) = Score::from_f64(score) else { continue };
        let moved = noise.apply(score, &format!("{}|{}", s.fixture, s.os), u64::from(s.repeat)).as_f64();
        s.score = Some(moved);
        s.decision = if moved > threshold { Decision::Pass } else { Decision::ScoreReject };
    }
    run
}

fn main() {
    let pairs: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(50);
    let started = Instant::now();
    let ctx = Ctx::new(&verifik_conformance::embedded::spec(Vec::new(), Default::default()), &RunSettings::new(1, 1))
        .expect("emulator");
    let base = record(&ctx, &verifik_conformance::faces::build(), Os::ALL, 1, "embedded emulator".into());
    let scored = base.samples.iter().filter(|s| s.score.is_some()).count();
    println!(
        "base run: {} presentations, {scored} with a disclosed score, threshold {:?}; {pairs} pairs per cell\n",
        base.samples.len(),
        base.threshold
    );
    println!("{:>6} | {:>12} {:>12} {:>12} | {:>12}", "noise", "shift 0.02", "shift 0.05", "shift 0.10", "false alarm");
    for sd in [0.0, 0.01, 0.02] {
        let rate = |shift: f64| {
            let drifted = (0..pairs)
                .filter(|i| {
                    let a = perturbed(&base, ScoreNoise { sd, shift: 0.0, seed: 2 * i });
                    let b = perturbed(&base, ScoreNoise { sd, shift: -shift, seed: 2 * i + 1 });
                    compare(&a, &b).verdict == Verdict::Drifted
                })
                .count();
            format!("{:>5.1} % ({drifted:>2})", 100.0 * drifted as f64 / pairs as f64)
        };
        println!("{sd:>6.2} | {:>12} {:>12} {:>12} | {:>12}", rate(0.02), rate(0.05), rate(0.10), rate(0.0));
    }
    println!("\n{:.1} s", started.elapsed().as_secs_f64());
}
