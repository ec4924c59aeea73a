//! `cargo bench --bench diff_power [SEEDS]`: how often `diff` alarms when nothing changed, and what it
//! finds when something did. For SEEDS seeds (default 5), 8 cases per property:
//!
//! * False alarms, quiet target: the embedded emulator against itself, 2 runs a side.
//! * False alarms, noisy target: the emulator with seeded per-presentation score noise (SD 0.1, each
//!   run its own draw, so decisions near the minimum flip between runs) against itself, with 1, 2 and 3
//!   runs a side: the alarm rate, the steps set aside as noise, and the residual the report promises.
//! * Power: every deviation (1 run) against the conformant emulator (2 runs): found when any divergence,
//!   in how many seeds; of the behaviours the catalogue says it changes (`broken_by`, `changed_by`), how
//!   many diverged (a property meets a deviation only in the cases that reach it); and in how many seeds
//!   a behaviour outside them diverged (a false attribution; for a deviation declared unseen, anything
//!   beyond properties that stop early).

#![expect(clippy::print_stdout, reason = "a benchmark reports on stdout")]

use std::collections::BTreeSet;
use std::time::Instant;

use verifik_conformance::deviation::Deviation;
use verifik_conformance::diff::{self, SideAnswers, SideRun};
use verifik_conformance::emulator::noise::ScoreNoise;
use verifik_conformance::suite::{RunSettings, catalogue, runner};

const CASES: u32 = 8;

fn one_run(deviations: &[Deviation], noise: ScoreNoise, seed: u64) -> SideRun {
    let spec = verifik_conformance::embedded::spec_elsewhere(deviations.to_vec(), noise);
    let settings = RunSettings { keep_answers: true, ..RunSettings::new(seed, CASES) };
    let result = runner::run_quietly(spec, settings, &|_| true, 2);
    diff::side_run(result.sequences.unwrap_or_default(), &result.records)
}

/// `runs` runs; with score noise, each run draws its own (`salt` keeps the two sides apart).
fn side(deviations: &[Deviation], sd: f64, seed: u64, runs: u64, salt: u64) -> SideAnswers {
    let runs = (0..runs)
        .map(|k| {
            let noise = ScoreNoise { sd, seed: seed ^ (salt << 32) ^ (k + 1), ..ScoreNoise::default() };
            one_run(deviations, noise, seed)
        })
        .collect();
    SideAnswers { runs }
}

fn main() {
    let seeds: u64 = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(5);
    let started = Instant::now();
    let all = catalogue::all();
    println!("diff_power: {seeds} seed(s), {CASES} cases per property");

    let mut quiet_alarms = 0;
    // (runs a side, alarms, divergences, varied steps, estimated unseen noise, residual)
    let mut noisy: Vec<(u64, usize, usize, usize, f64, f64)> = (1..=4u64).map(|r| (r, 0, 0, 0, 0.0, 0.0)).collect();
    let n = Deviation::ALL.len();
    let (mut found, mut outside, mut covered, mut declared_total) =
        (vec![0usize; n], vec![0usize; n], vec![0usize; n], vec![0usize; n]);
    for seed in 1..=seeds {
        let conformant = side(&[], 0.0, seed, 2, 1);
        let c = diff::compare(&conformant, &side(&[], 0.0, seed, 2, 2));
        quiet_alarms += usize::from(!c.agrees());
        for row in &mut noisy {
            let c = diff::compare(&side(&[], 0.1, seed, row.0, 3), &side(&[], 0.1, seed, row.0, 4));
            row.1 += usize::from(!c.divergences.is_empty());
            row.2 += c.divergences.len();
            row.3 += c.varied.len();
            row.4 += c.unseen_noise_estimate().unwrap_or(f64::NAN);
            row.5 = c.residual_false_alarm();
        }
        for (i, &d) in Deviation::ALL.iter().enumerate() {
            let c = diff::compare(&conformant, &side(&[d], 0.0, seed, 1, 5));
            let got: BTreeSet<&str> = c.divergences.iter().map(|x| x.behaviour.as_str()).collect();
            found[i] += usize::from(!got.is_empty());
            let declared: BTreeSet<&str> = all.iter().filter(|b| b.changed_under(d)).map(|b| b.id.0).collect();
            outside[i] += usize::from(!got.is_subset(&declared));
            if d.unseen_by_diff().is_none() {
                covered[i] += got.intersection(&declared).count();
                declared_total[i] += declared.len();
            }
        }
    }
    println!("\nfalse alarms, the emulator against itself (2 runs a side): {quiet_alarms} of {seeds}");
    println!("\nfalse alarms, a noisy target (score SD 0.1 per presentation) against itself:");
    println!("  runs a side   alarms   divergences   estimated unseen noise   steps set aside   residual per step");
    for (runs, alarms, divergences, varied, estimate, residual) in &noisy {
        println!(
            "  {runs:>11}   {alarms:>2} of {seeds}   {divergences:>11}   {estimate:>22.1}   {varied:>15}   {:>16.1}%",
            100.0 * residual
        );
    }
    println!("  (divergences, estimates and steps summed over the seeds)");
    println!("\npower, each deviation against the conformant emulator:");
    println!("  deviation                      found   declared behaviours found   seeds with any outside them");
    let mut seen = 0;
    for (i, d) in Deviation::ALL.iter().enumerate() {
        let unseen = d.unseen_by_diff().map_or(String::new(), |why| format!("  (declared unseen: {why})"));
        seen += usize::from(found[i] == seeds as usize);
        let share =
            if declared_total[i] == 0 { "-".to_owned() } else { format!("{}/{}", covered[i], declared_total[i]) };
        println!("  {:<30} {:>5}/{seeds}   {:>9}   {:>5}/{seeds}{unseen}", d.as_str(), found[i], share, outside[i]);
    }
    println!(
        "\n{seen} of {} deviations found in every seed; {} declared unseen; {:.0} s",
        Deviation::ALL.len(),
        Deviation::ALL.iter().filter(|d| d.unseen_by_diff().is_some()).count(),
        started.elapsed().as_secs_f64()
    );
}
