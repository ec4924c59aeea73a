//! `cargo bench --bench drift_power [R]`: how small a shift of a vendor's liveness scores `compare`
//! catches, and how often it cries wolf, when scores are noisy. One real run of the embedded emulator
//! over the fixture set gives the engine's scores; each simulated run then applies the emulator's own
//! seeded noise (`emulator::noise::ScoreNoise`: per presentation, `--liveness-noise`; per run, a common
//! offset, `--liveness-run-noise`) and shift, repeats every presentation as `liveness --repeat` does,
//! and decides by the disclosed threshold. Each cell is R simulated pairs of runs (default 200): the
//! detection rate for shifts of 0.01, 0.02 and 0.05 downwards, and the false-alarm rate of unchanged
//! reruns with its Clopper–Pearson 95 % upper bound. With run-level noise, `compare` is told the offset's
//! SD (`--run-noise`), as an operator would from `history`.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::Instant;

use verifik_conformance::api::{Os, Score};
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::liveness::compare::{Options, Verdict, compare_with};
use verifik_conformance::liveness::record::{Decision, RunFile, record};
use verifik_conformance::liveness::stats::clopper_pearson;
use verifik_conformance::suite::{Ctx, RunSettings};

/// A run of the same presentations, each `repeat` times, with `noise` applied to every score.
fn simulated(base: &RunFile, repeat: u32, noise: ScoreNoise) -> RunFile {
    let threshold = base.threshold.unwrap_or(0.6);
    let mut run = base.clone();
    run.repeat = repeat;
    run.samples = Vec::with_capacity(base.samples.len() * repeat as usize);
    for k in 0..repeat {
        for s in &base.samples {
            let mut s = s.clone();
            s.repeat = k;
            if let (Some(score), true) = (s.score, matches!(s.decision, Decision::Pass | Decision::ScoreReject))
                && let Ok(score) = Score::from_f64(score)
            {
                let moved = noise.apply(score, &format!("{}|{}", s.fixture, s.os), u64::from(k)).as_f64();
                s.score = Some(moved);
                s.decision = if moved > threshold { Decision::Pass } else { Decision::ScoreReject };
            }
            run.samples.push(s);
        }
    }
    run
}

/// The share of `pairs` simulated pairs that `compare` calls drifted, as "xx.x % (n)".
fn rate(base: &RunFile, pairs: u64, repeat: u32, sd: f64, run_sd: f64, shift: f64) -> (u64, String) {
    let options = Options { run_noise: run_sd, ..Options::default() };
    let drifted = (0..pairs)
        .filter(|i| {
            let noise = |seed: u64, shift: f64| ScoreNoise { sd, run_sd, shift, seed };
            let a = simulated(base, repeat, noise(2 * i + 1_000_000 * u64::from(repeat), 0.0));
            let b = simulated(base, repeat, noise(2 * i + 1 + 1_000_000 * u64::from(repeat), -shift));
            compare_with(&a, &b, options).verdict == Verdict::Drifted
        })
        .count() as u64;
    (drifted, format!("{:>5.1} % ({drifted:>3})", 100.0 * drifted as f64 / pairs as f64))
}

fn main() {
    let pairs: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(200);
    let started = Instant::now();
    let ctx = Ctx::new(&verifik_conformance::embedded::spec(Vec::new(), Default::default()), &RunSettings::new(1, 1))
        .expect("emulator");
    let base = record(&ctx, &verifik_conformance::faces::build(), Os::ALL, 1, "embedded emulator".into());
    let scored = base.samples.iter().filter(|s| s.score.is_some()).count();
    println!(
        "base run: {} presentations, {scored} with a disclosed score, threshold {:?}; {pairs} pairs of runs per cell\n",
        base.samples.len(),
        base.threshold
    );
    let mut worst_false_alarm = (0u64, String::new());
    for run_sd in [0.0, 0.005] {
        println!("run-to-run offset SD {run_sd} (compare --run-noise {run_sd})");
        println!(
            "{:>6} {:>6} | {:>13} {:>13} {:>13} | {:>13} {:>9}",
            "noise", "repeat", "shift 0.01", "shift 0.02", "shift 0.05", "false alarm", "(≤ 95 %)"
        );
        for sd in [0.0, 0.01, 0.02] {
            for repeat in [1, 3, 4] {
                let cell = |shift| rate(&base, pairs, repeat, sd, run_sd, shift).1;
                let (false_alarms, fa) = rate(&base, pairs, repeat, sd, run_sd, 0.0);
                let upper = clopper_pearson(false_alarms, pairs, 0.05).map_or(1.0, |r| r.high);
                if false_alarms >= worst_false_alarm.0 {
                    worst_false_alarm = (false_alarms, format!("noise {sd}, repeat {repeat}, run offset SD {run_sd}"));
                }
                println!(
                    "{sd:>6.2} {repeat:>6} | {:>13} {:>13} {:>13} | {fa:>13} {:>8.1} %",
                    cell(0.01),
                    cell(0.02),
                    cell(0.05),
                    100.0 * upper
                );
            }
        }
        println!();
    }
    println!("most false alarms in one cell: {} of {pairs} ({})", worst_false_alarm.0, worst_false_alarm.1);
    println!("\n{:.1} s", started.elapsed().as_secs_f64());
}
