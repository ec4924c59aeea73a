//! `cargo bench --bench history_power [PAGES]`: how often a `history` page of an unchanged target
//! alarms, and how soon a slow drift is flagged. One real run of the embedded emulator over the fixture
//! set gives the engine's scores; each simulated run applies the emulator's seeded noise
//! (`--liveness-noise` per presentation, `--liveness-run-noise` as one offset per run) and decides by the
//! disclosed threshold, as `drift_power` does.
//!
//! * False alarms: PAGES pages (default 1000) of ten unchanged runs each, judged as `history` judges
//!   its latest run (window: the first five), with the Clopper–Pearson 95 % upper bound of the rate.
//! * Slow drift: 200 sequences of twelve runs at noise 0.01, run k shifted down by k × d for d = 0.0025,
//!   0.005 and 0.01; each prefix from run 6 on is a page; the run at which a class (and a bona fide
//!   class) is first flagged, median and 90th percentile, and the share flagged by run 8.
//! * The demonstration: eight real runs of the emulator with `--liveness-noise 0.01` and
//!   `--liveness-shift` 0, −0.005, …, −0.035, and the first run whose page alarms.

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::time::Instant;

use verifik_conformance::api::{Os, Score};
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::history::{History, Options, of_liveness_runs};
use verifik_conformance::liveness::record::{Decision, RunFile, record};
use verifik_conformance::liveness::stats::clopper_pearson;
use verifik_conformance::suite::{Ctx, RunSettings};

const BONA_FIDE: [&str; 3] = ["bona_fide", "reencoded", "variation"];

/// The same presentations with `noise` applied to every score, decided by the disclosed threshold.
fn simulated(base: &RunFile, noise: ScoreNoise, index: usize) -> RunFile {
    let threshold = base.threshold.unwrap_or(0.6);
    let mut run = base.clone();
    // `history` orders runs by when they started.
    run.created_at = format!("2026-01-01T00:00:{index:02}.000Z");
    for s in &mut run.samples {
        if let (Some(score), true) = (s.score, matches!(s.decision, Decision::Pass | Decision::ScoreReject))
            && let Ok(score) = Score::from_f64(score)
        {
            let moved = noise.apply(score, &format!("{}|{}", s.fixture, s.os), 0).as_f64();
            s.score = Some(moved);
            s.decision = if moved > threshold { Decision::Pass } else { Decision::ScoreReject };
        }
    }
    run
}

fn alarmed(h: &History, bona_fide_only: bool) -> bool {
    h.classes
        .iter()
        .filter(|(c, _)| !bona_fide_only || BONA_FIDE.contains(&c.as_str()))
        .any(|(_, t)| t.level.is_some_and(|x| x.alarmed) || t.trend.is_some_and(|x| x.alarmed))
}

fn quantile(v: &mut [usize], q: f64) -> usize {
    v.sort_unstable();
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let pages: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1000);
    let started = Instant::now();
    let ctx = Ctx::new(&verifik_conformance::embedded::spec(Vec::new(), Default::default()), &RunSettings::new(1, 1))
        .expect("emulator");
    let set = verifik_conformance::faces::build();
    let base = record(&ctx, &set, Os::ALL, 1, "embedded emulator".into());
    let options = Options::default();
    println!(
        "base run: {} presentations; window {} runs, family false-alarm rate {:.0} %\n",
        base.samples.len(),
        options.reference,
        100.0 * options.family_alpha
    );

    println!("false alarms: {pages} pages of 10 unchanged runs each");
    println!("{:>6} {:>10} | {:>16} {:>12}", "noise", "run offset", "pages alarmed", "(≤ 95 %)");
    for (sd, run_sd) in [(0.01, 0.0), (0.02, 0.0), (0.01, 0.005), (0.02, 0.005)] {
        let alarms = (0..pages)
            .filter(|p| {
                let runs = (0..10)
                    .map(|i| simulated(&base, ScoreNoise { sd, run_sd, shift: 0.0, seed: 100 * p + i as u64 }, i))
                    .collect();
                !of_liveness_runs(runs, options).alarms.is_empty()
            })
            .count() as u64;
        let upper = clopper_pearson(alarms, pages, 0.05).map_or(1.0, |r| r.high);
        println!(
            "{sd:>6.2} {run_sd:>10.3} | {:>7.1} % ({alarms:>4}) {:>10.1} %",
            100.0 * alarms as f64 / pages as f64,
            100.0 * upper
        );
    }

    let sequences = 200;
    println!("\nslow drift: {sequences} sequences of 12 runs at noise 0.01, run k shifted down by k × d");
    println!(
        "{:>7} | {:>22} | {:>22} {:>16}",
        "d", "first flag (median/p90)", "bona fide (median/p90)", "bona fide by 8"
    );
    for d in [0.0025, 0.005, 0.01] {
        let (mut any, mut bona) = (Vec::new(), Vec::new());
        for q in 0..sequences {
            let runs: Vec<RunFile> = (0..12)
                .map(|k| {
                    let noise =
                        ScoreNoise { sd: 0.01, run_sd: 0.0, shift: -d * k as f64, seed: 1_000_000 + 100 * q + k };
                    simulated(&base, noise, k as usize)
                })
                .collect();
            // 13 stands for "not flagged within the twelve runs".
            let (mut first_any, mut first_bona) = (13, 13);
            for last in options.reference..12 {
                let h = of_liveness_runs(runs[..=last].to_vec(), options);
                if first_any == 13 && alarmed(&h, false) {
                    first_any = last + 1;
                }
                if alarmed(&h, true) {
                    first_bona = last + 1;
                    break;
                }
            }
            any.push(first_any);
            bona.push(first_bona);
        }
        let by8 = bona.iter().filter(|r| **r <= 8).count();
        let (a50, a90) = (quantile(&mut any, 0.5), quantile(&mut any, 0.9));
        let (b50, b90) = (quantile(&mut bona, 0.5), quantile(&mut bona, 0.9));
        println!(
            "{d:>7.4} | {:>22} | {:>22} {:>9.1} % ({by8})",
            format!("run {a50} / run {a90}"),
            format!("run {b50} / run {b90}"),
            100.0 * by8 as f64 / sequences as f64
        );
    }
    println!("(run 13: not flagged within twelve runs)");

    println!("\ndemonstration: real runs with --liveness-noise 0.01 and --liveness-shift 0, -0.005, ..., -0.035");
    let mut runs = Vec::new();
    for k in 0..8u64 {
        let noise = ScoreNoise { sd: 0.01, run_sd: 0.0, shift: -0.005 * k as f64, seed: 40 + k };
        let ctx = Ctx::new(&verifik_conformance::embedded::spec(Vec::new(), noise), &RunSettings::new(40 + k, 1))
            .expect("emulator");
        let mut run = record(&ctx, &set, Os::ALL, 1, "embedded emulator".into());
        run.created_at = format!("2026-01-02T00:00:{k:02}.000Z");
        runs.push(run);
        if runs.len() > options.reference {
            let h = of_liveness_runs(runs.clone(), options);
            println!(
                "run {}: {}",
                runs.len(),
                if h.alarms.is_empty() { "no alarm".to_owned() } else { h.alarms.join("; ") }
            );
        }
    }
    println!("\n{:.1} s", started.elapsed().as_secs_f64());
}
