//! The figures of a liveness run: APCER per attack species, BPCER and the non-response rates with
//! Clopper–Pearson intervals, counted by presentation and by artefact (distinct image), the persons
//! behind the artefacts, the threshold sweep and what the sample can claim.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::iso::{self, BpcerAt, OperatingPoint};
use super::sample::{Decision, Sample};
use super::stats::{self, Rate};
use crate::faces::{Class, FixtureSet, Species};

/// Error rates with Clopper–Pearson 95% intervals, counted two ways. Presentations of one image are
/// not independent (its three `os` presentations give the same score on an engine that ignores the
/// `os`, and `--repeat` copies them again), so the intervals, the headline and the claims count
/// **artefacts**, distinct images: an attack artefact is accepted if any of its judged presentations
/// was, a bona fide artefact rejected if most of its judged presentations were. The presentation counts
/// are kept beside them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Attack presentations classified bona fide, per species (judged presentations only).
    pub apcer: BTreeMap<String, Rate>,
    /// Bona fide presentations classified as attacks (judged presentations only).
    pub bpcer: Option<Rate>,
    /// Attack artefacts (distinct images) accepted, per species.
    #[serde(default)]
    pub apcer_artefacts: BTreeMap<String, Rate>,
    /// Bona fide artefacts rejected.
    #[serde(default)]
    pub bpcer_artefacts: Option<Rate>,
    /// Distinct persons behind the judged artefacts of each species and of the bona fide classes
    /// (`bona fide`).
    #[serde(default)]
    pub persons: BTreeMap<String, usize>,
    /// Bona fide presentations not judged (quality failures and errors).
    pub bona_fide_non_response: Option<Rate>,
    /// Attack presentations not judged.
    pub attack_non_response: Option<Rate>,
    /// The worst species' APCER by artefact, the headline of ISO/IEC 30107-3; tied species are named
    /// together.
    #[serde(default)]
    pub apcer_max: Option<(String, Rate)>,
    /// APCER of the worst species against BPCER at every threshold the disclosed scores allow.
    #[serde(default)]
    pub operating_points: Vec<OperatingPoint>,
    #[serde(default)]
    pub bpcer20: Option<BpcerAt>,
    #[serde(default)]
    pub bpcer100: Option<BpcerAt>,
    /// What each species' sample can claim, in words.
    #[serde(default)]
    pub claims: Vec<String>,
}

/// The persons behind a fixture id: its first path segment, both people of a morph (`a+b/morph`).
fn persons_of(fixture: &str) -> impl Iterator<Item = &str> {
    fixture.split('/').next().unwrap_or(fixture).split('+')
}

/// Artefact counts: per distinct image, whether it counts as an error (`erred` over its judged
/// presentations' outcomes), and the persons behind the images.
fn by_artefact<'a>(
    samples: impl Iterator<Item = &'a Sample>,
    erred: impl Fn(usize, usize) -> bool,
    error: Decision,
) -> (Option<Rate>, usize) {
    let mut images: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in samples.filter(|s| matches!(s.decision, Decision::Pass | Decision::ScoreReject)) {
        let e = images.entry(s.fixture.as_str()).or_default();
        e.0 += usize::from(s.decision == error);
        e.1 += 1;
    }
    let errors = images.values().filter(|(x, n)| erred(*x, *n)).count();
    let persons: std::collections::BTreeSet<&str> = images.keys().flat_map(|f| persons_of(f)).collect();
    (stats::clopper_pearson(errors as u64, images.len() as u64, 0.05), persons.len())
}

pub(crate) fn metrics(samples: &[Sample]) -> Metrics {
    let judged = |d: Decision| matches!(d, Decision::Pass | Decision::ScoreReject);
    let rate = |x: usize, n: usize| stats::clopper_pearson(x as u64, n as u64, 0.05);
    let mut apcer = BTreeMap::new();
    let (mut apcer_artefacts, mut persons) = (BTreeMap::new(), BTreeMap::new());
    for &species in Species::ALL {
        let label = Class::Attack(species).label();
        let attacks: Vec<&Sample> =
            samples.iter().filter(|s| s.class == Class::Attack(species) && judged(s.decision)).collect();
        let accepted = attacks.iter().filter(|s| s.decision == Decision::Pass).count();
        if let Some(r) = rate(accepted, attacks.len()) {
            apcer.insert(label.clone(), r);
        }
        // An attack artefact gets through if any of its presentations does.
        let (r, people) = by_artefact(attacks.iter().copied(), |accepted, _| accepted > 0, Decision::Pass);
        if let Some(r) = r {
            apcer_artefacts.insert(label.clone(), r);
            persons.insert(label, people);
        }
    }
    let bona: Vec<&Sample> = samples.iter().filter(|s| s.class.is_bona_fide()).collect();
    let bona_judged: Vec<&&Sample> = bona.iter().filter(|s| judged(s.decision)).collect();
    // A bona fide artefact is turned away if most of its presentations are.
    let (bpcer_artefacts, people) =
        by_artefact(bona.iter().copied(), |rejected, n| 2 * rejected > n, Decision::ScoreReject);
    if bpcer_artefacts.is_some() {
        persons.insert("bona fide".to_owned(), people);
    }
    let attacks: Vec<&Sample> = samples.iter().filter(|s| matches!(s.class, Class::Attack(_))).collect();
    let bona_scores: Vec<f64> = bona.iter().filter_map(|s| s.score).collect();
    let mut attack_scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for s in &attacks {
        if let (Some(score), Class::Attack(species)) = (s.score, s.class) {
            attack_scores.entry(species.as_str().to_owned()).or_default().push(score);
        }
    }
    let operating_points = iso::sweep(&bona_scores, &attack_scores);
    let named: BTreeMap<String, (Rate, usize)> = apcer_artefacts
        .iter()
        .map(|(label, r)| {
            let name = label.trim_start_matches("attack/").replace('_', " ");
            (name, (*r, persons.get(label).copied().unwrap_or_default()))
        })
        .collect();
    Metrics {
        apcer_max: worst(&apcer_artefacts),
        bpcer20: iso::bpcer_at(&operating_points, &attack_scores, 20),
        bpcer100: iso::bpcer_at(&operating_points, &attack_scores, 100),
        claims: iso::claims(&named),
        operating_points,
        apcer,
        apcer_artefacts,
        bpcer_artefacts,
        persons,
        bpcer: rate(bona_judged.iter().filter(|s| s.decision == Decision::ScoreReject).count(), bona_judged.len()),
        bona_fide_non_response: rate(bona.iter().filter(|s| !judged(s.decision)).count(), bona.len()),
        attack_non_response: rate(attacks.iter().filter(|s| !judged(s.decision)).count(), attacks.len()),
    }
}

/// The species with the highest APCER (then the highest upper bound); every species tied with it is
/// named too.
fn worst(apcer: &BTreeMap<String, Rate>) -> Option<(String, Rate)> {
    let key = |r: &Rate| (r.rate, r.high);
    let (_, top) = apcer.iter().max_by(|a, b| key(a.1).partial_cmp(&key(b.1)).unwrap_or(std::cmp::Ordering::Equal))?;
    let tied: Vec<&str> = apcer.iter().filter(|(_, r)| key(r) == key(top)).map(|(l, _)| l.as_str()).collect();
    Some((tied.join(", "), *top))
}

/// The samples of the calibration half, or of everything else.
pub(crate) fn of_set(samples: &[Sample], calibration: bool) -> Vec<Sample> {
    samples.iter().filter(|s| (s.set == Some(FixtureSet::Calibration)) == calibration).cloned().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Os;

    fn sample(class: Class, decision: Decision) -> Sample {
        Sample {
            fixture: "f".into(),
            class,
            set: None,
            os: Os::Ios,
            repeat: 0,
            decision,
            score: None,
            censored: false,
            detail: None,
            cause: None,
            latency_ms: 0.0,
        }
    }

    #[test]
    fn metrics_count_judged_presentations_and_non_responses_apart() {
        let replay = Class::Attack(Species::ScreenReplay);
        let samples = vec![
            sample(replay, Decision::Pass),
            sample(replay, Decision::ScoreReject),
            sample(replay, Decision::ScoreReject),
            sample(replay, Decision::QualityReject),
            sample(Class::BonaFide, Decision::Pass),
            sample(Class::Reencoded, Decision::ScoreReject),
            sample(Class::BonaFide, Decision::Error),
            sample(Class::NonFace, Decision::QualityReject),
        ];
        let m = metrics(&samples);
        let apcer = m.apcer.get("attack/screen_replay").expect("replay rate");
        assert_eq!((apcer.x, apcer.n), (1, 3), "the quality failure is a non-response, not an error");
        assert_eq!(m.apcer.get("attack/print"), None, "no print presentations, no rate");
        let bpcer = m.bpcer.expect("bpcer");
        assert_eq!((bpcer.x, bpcer.n), (1, 2));
        let bnr = m.bona_fide_non_response.expect("bona fide non-response");
        assert_eq!((bnr.x, bnr.n), (1, 3));
        let anr = m.attack_non_response.expect("attack non-response");
        assert_eq!((anr.x, anr.n), (1, 4));
    }

    fn shown(fixture: &str, class: Class, os: Os, repeat: u32, decision: Decision) -> Sample {
        Sample { fixture: fixture.into(), os, repeat, ..sample(class, decision) }
    }

    /// Three print images, each presented with three `os` and four repeats, none accepted: 36
    /// presentations, 3 artefacts. scipy 1.17.1: `beta.ppf(0.975, 1, 3)` = 0.7075982 (the upper end
    /// for 0 of 3), where 0 of 36 presentations would have claimed `1 − 0.025^(1/36)` = 0.0974. And 24
    /// bona fide images of 8 people, 2 of them rejected by most of their presentations and a third by
    /// one of three: `beta.ppf(0.025, 2, 23)` = 0.0102563, `beta.ppf(0.975, 3, 22)` = 0.2699728.
    #[test]
    fn intervals_count_artefacts_not_presentations() {
        let print = Class::Attack(Species::Print);
        let mut samples = Vec::new();
        for person in ["ada", "bo", "cy"] {
            for os in Os::ALL.iter().copied() {
                for r in 0..4 {
                    samples.push(shown(&format!("{person}/print"), print, os, r, Decision::ScoreReject));
                }
            }
        }
        for i in 0..24 {
            let person = format!("p{}", i % 8);
            let id = format!("{person}/v{i}");
            let rejected_by = match i {
                0 | 1 => 2,
                2 => 1,
                _ => 0,
            };
            for (k, os) in Os::ALL.iter().copied().enumerate() {
                let d = if k < rejected_by { Decision::ScoreReject } else { Decision::Pass };
                samples.push(shown(&id, Class::Variation, os, 0, d));
            }
        }
        let m = metrics(&samples);
        let by_presentation = m.apcer.get("attack/print").expect("print");
        assert_eq!((by_presentation.x, by_presentation.n), (0, 36));
        let by_artefact = m.apcer_artefacts.get("attack/print").expect("print");
        assert_eq!((by_artefact.x, by_artefact.n), (0, 3));
        assert!((by_artefact.high - 0.707_598_2).abs() < 1e-6, "{by_artefact:?}");
        assert_eq!(m.persons.get("attack/print"), Some(&3));
        let b = m.bpcer_artefacts.expect("bpcer by artefact");
        assert_eq!((b.x, b.n), (2, 24));
        assert!((b.low - 0.010_256_3).abs() < 1e-6 && (b.high - 0.269_972_8).abs() < 1e-6, "{b:?}");
        assert_eq!(m.persons.get("bona fide"), Some(&8));
        assert!(m.claims.iter().any(|c| c.starts_with("0 of 3 print artefacts (distinct images, of 3 person(s))")));
        // A morph stands for both people.
        let morph = Class::Attack(Species::Morph);
        let m = metrics(&[shown("ada+bo/morph", morph, Os::Ios, 0, Decision::Pass)]);
        assert_eq!(m.persons.get("attack/morph"), Some(&2));
        assert_eq!(m.apcer_max.map(|(s, r)| (s, r.x)), Some(("attack/morph".to_owned(), 1)));
    }

    #[test]
    fn a_tie_for_the_worst_species_names_every_tied_species() {
        let (print, replay) = (Class::Attack(Species::Print), Class::Attack(Species::ScreenReplay));
        let m = metrics(&[
            shown("a/print", print, Os::Ios, 0, Decision::Pass),
            shown("a/screen-replay", replay, Os::Ios, 0, Decision::Pass),
        ]);
        assert_eq!(m.apcer_max.map(|(s, _)| s).as_deref(), Some("attack/print, attack/screen_replay"));
    }
}
