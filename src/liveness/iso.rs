//! The ISO/IEC 30107-3 figures that need a threshold sweep: the operating points (APCER of the worst
//! species against BPCER at every threshold the scores allow), BPCER20 and BPCER100 (the lowest BPCER
//! while every species' APCER stays at or below 5 % or 1 %), and what a sample of this size can
//! claim. A presentation passes when its score is above the threshold, as the emulator decides.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::stats;

/// One threshold and the error rates it gives.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OperatingPoint {
    pub threshold: f64,
    /// The highest APCER over the attack species.
    pub apcer_max: f64,
    pub bpcer: f64,
}

/// Every operating point: thresholds at 0 and at each distinct disclosed score, in rising order.
pub(crate) fn sweep(bona: &[f64], attacks: &BTreeMap<String, Vec<f64>>) -> Vec<OperatingPoint> {
    if bona.is_empty() || attacks.values().all(Vec::is_empty) {
        return Vec::new();
    }
    let mut thresholds: Vec<f64> = std::iter::once(0.0).chain(bona.iter().copied()).collect();
    thresholds.extend(attacks.values().flatten().copied());
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    let share =
        |xs: &[f64], pred: &dyn Fn(f64) -> bool| xs.iter().filter(|x| pred(**x)).count() as f64 / xs.len() as f64;
    thresholds
        .into_iter()
        .map(|t| OperatingPoint {
            threshold: t,
            apcer_max: attacks.values().filter(|a| !a.is_empty()).map(|a| share(a, &|s| s > t)).fold(0.0, f64::max),
            bpcer: share(bona, &|s| s <= t),
        })
        .collect()
}

/// BPCER at a fixed APCER of 1/x (BPCER20: x = 20, BPCER100: x = 100).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum BpcerAt {
    /// The lowest BPCER with every species' APCER at or below 1/x, and the threshold that gives it.
    Estimated { threshold: f64, bpcer: f64, apcer_max: f64 },
    /// Some species has fewer than x scored attacks: an APCER of 1/x cannot be observed.
    NotEstimable { needed: u64, fewest: u64, species: String },
}

pub(crate) fn bpcer_at(points: &[OperatingPoint], attacks: &BTreeMap<String, Vec<f64>>, x: u64) -> Option<BpcerAt> {
    let (species, fewest) = attacks.iter().map(|(s, a)| (s.clone(), a.len() as u64)).min_by_key(|(_, n)| *n)?;
    if fewest < x {
        return Some(BpcerAt::NotEstimable { needed: x, fewest, species });
    }
    let limit = 1.0 / x as f64;
    points.iter().find(|p| p.apcer_max <= limit + 1e-12).map(|p| BpcerAt::Estimated {
        threshold: p.threshold,
        bpcer: p.bpcer,
        apcer_max: p.apcer_max,
    })
}

/// Independent attack artefacts per species that bring the upper end of the 95 % interval of 0
/// accepted to about 2.4 %, iBeta's level-1 sample.
pub(crate) const CLAIM_SAMPLE: u64 = 150;

/// What each species' artefact count (with the persons behind it) can and cannot claim, in words.
pub(crate) fn claims(apcer: &BTreeMap<String, (stats::Rate, usize)>) -> Vec<String> {
    let target = stats::clopper_pearson(0, CLAIM_SAMPLE, 0.05).map_or(0.0, |r| r.high);
    apcer
        .iter()
        .map(|(species, (r, persons))| {
            let of = format!("{} of {} {species} artefacts (distinct images, of {persons} person(s))", r.x, r.n);
            if r.x > 0 {
                // Accepted attacks are a finding, not a bound: more presentations would only narrow it.
                return format!(
                    "{of} accepted: APCER lies between {:.1} % and {:.1} % (two-sided 95 % Clopper–Pearson); the species gets through",
                    100.0 * r.low,
                    100.0 * r.high
                );
            }
            let mut line =
                format!("{of} accepted: the two-sided 95 % Clopper–Pearson interval reaches {:.1} %", 100.0 * r.high);
            if r.n < CLAIM_SAMPLE {
                line.push_str(&format!(
                    "; {CLAIM_SAMPLE} independent artefacts per species would bring it to {:.1} % (with none accepted); \
presenting the same ones again would not",
                    100.0 * target
                ));
            }
            line
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> (Vec<f64>, BTreeMap<String, Vec<f64>>) {
        let bona = vec![0.91, 0.88, 0.88, 0.75, 0.70, 0.66, 0.93, 0.81, 0.59, 0.97];
        let mut attacks = BTreeMap::new();
        attacks.insert("print".to_owned(), vec![0.12, 0.35, 0.61, 0.20, 0.44]);
        attacks.insert("screen_replay".to_owned(), vec![0.05, 0.72, 0.30, 0.10]);
        (bona, attacks)
    }

    /// Reference values from numpy 2 (a throw-away venv), for the same toy scores:
    ///   cands = np.unique(np.concatenate([[0.0], bona] + attacks)); for t in cands:
    ///   apcer_max = max(np.mean(a > t) for a in attacks); bpcer = np.mean(bona <= t)
    ///   BPCERx: bpcer at min(t for t in cands if apcer_max(t) <= 1/x)
    #[test]
    fn sweep_and_bpcer_at_match_numpy() {
        let (bona, attacks) = toy();
        let points = sweep(&bona, &attacks);
        let expected = [
            (0.00, 1.0, 0.0),
            (0.05, 1.0, 0.0),
            (0.10, 1.0, 0.0),
            (0.12, 0.8, 0.0),
            (0.20, 0.6, 0.0),
            (0.30, 0.6, 0.0),
            (0.35, 0.4, 0.0),
            (0.44, 0.25, 0.0),
            (0.59, 0.25, 0.1),
            (0.61, 0.25, 0.1),
            (0.66, 0.25, 0.2),
            (0.70, 0.25, 0.3),
            (0.72, 0.0, 0.3),
            (0.75, 0.0, 0.4),
            (0.81, 0.0, 0.5),
            (0.88, 0.0, 0.7),
            (0.91, 0.0, 0.8),
            (0.93, 0.0, 0.9),
            (0.97, 0.0, 1.0),
        ];
        assert_eq!(points.len(), expected.len());
        for (p, (t, a, b)) in points.iter().zip(expected) {
            assert!(
                (p.threshold - t).abs() < 1e-12 && (p.apcer_max - a).abs() < 1e-12 && (p.bpcer - b).abs() < 1e-12,
                "{p:?}"
            );
        }
        // numpy: x = 4 -> threshold 0.44, BPCER 0.0; x = 5 -> threshold 0.72, BPCER 0.3.
        assert_eq!(
            bpcer_at(&points, &attacks, 4),
            Some(BpcerAt::Estimated { threshold: 0.44, bpcer: 0.0, apcer_max: 0.25 })
        );
        assert_eq!(
            bpcer_at(&points, &attacks, 5),
            Some(BpcerAt::NotEstimable { needed: 5, fewest: 4, species: "screen_replay".into() })
        );
        let mut more = attacks.clone();
        more.get_mut("screen_replay").expect("species").push(0.06);
        let points = sweep(&bona, &more);
        // numpy, one more replay attack at 0.06: x = 5 -> threshold 0.44, BPCER 0.0, APCER_max 0.2.
        assert_eq!(
            bpcer_at(&points, &more, 5),
            Some(BpcerAt::Estimated { threshold: 0.44, bpcer: 0.0, apcer_max: 0.2 })
        );
        assert_eq!(bpcer_at(&points, &more, 20).map(|b| matches!(b, BpcerAt::NotEstimable { .. })), Some(true));
    }

    #[test]
    fn claims_say_what_the_sample_can_claim() {
        let mut apcer = BTreeMap::new();
        apcer.insert("print".to_owned(), (stats::clopper_pearson(0, 21, 0.05).expect("rate"), 7));
        apcer.insert("cut out".to_owned(), (stats::clopper_pearson(6, 9, 0.05).expect("rate"), 3));
        let said = claims(&apcer);
        // scipy: beta.ppf(0.975, 1, 21) = 0.16110; 1 - 0.025 ** (1/150) = 0.024289;
        // beta.ppf(0.025, 6, 4) = 0.29930, beta.ppf(0.975, 7, 3) = 0.92515
        assert_eq!(
            said,
            [
                "6 of 9 cut out artefacts (distinct images, of 3 person(s)) accepted: APCER lies between 29.9 % and 92.5 % (two-sided 95 % Clopper–Pearson); the species gets through",
                "0 of 21 print artefacts (distinct images, of 7 person(s)) accepted: the two-sided 95 % Clopper–Pearson interval reaches 16.1 %; 150 independent artefacts per species would bring it to 2.4 % (with none accepted); presenting the same ones again would not",
            ]
        );
    }
}
