//! Comparing two runs: paired per-presentation score deltas, decisions that flip at the threshold, a
//! Wilcoxon signed-rank test on the paired deltas, Kolmogorov–Smirnov and Wasserstein between the
//! score distributions, and a verdict against a noise floor measured from the runs' own repeats.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{Decision, RunFile, Sample};
use super::stats::{self, KolmogorovSmirnov, Wilcoxon};

/// The smallest difference scores with two decimals can show, halved: the floor of the noise floor.
const RESOLUTION: f64 = 0.005;
/// Significance level of the two tests.
const ALPHA: f64 = 0.01;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Stable,
    Drifted,
}

#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub fixture: String,
    pub os: String,
    pub repeat: u32,
    pub baseline: Decision,
    pub current: Decision,
    pub baseline_score: Option<f64>,
    pub current_score: Option<f64>,
}

/// A presentation judged in one run and not in the other.
#[derive(Debug, Clone, Serialize)]
pub struct Change {
    pub fixture: String,
    pub os: String,
    pub repeat: u32,
    pub baseline: Decision,
    pub current: Decision,
}

/// The error shares of the two runs and Fisher's exact test between them.
#[derive(Debug, Clone, Serialize)]
pub struct ErrorShares {
    pub baseline: (usize, usize),
    pub current: (usize, usize),
    pub p_value: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub pairs: usize,
    /// Pairs where both runs disclosed a score.
    pub scored_pairs: usize,
    pub median_abs_delta: Option<f64>,
    pub p95_abs_delta: Option<f64>,
    pub mean_delta: Option<f64>,
    pub flips: Vec<Flip>,
    /// Presentations judged in one run and not in the other.
    pub changes: Vec<Change>,
    /// Errors out of presentations in each run, tested with Fisher's exact test.
    pub errors: ErrorShares,
    pub wilcoxon: Wilcoxon,
    pub ks: Option<KolmogorovSmirnov>,
    pub wasserstein: Option<f64>,
    pub noise_floor: f64,
    pub verdict: Verdict,
    pub reasons: Vec<String>,
    /// Set when the two runs are of different targets or thresholds (the comparison still runs).
    pub warning: Option<String>,
}

type Key = (String, String, u32);

fn key(s: &Sample) -> Key {
    (s.fixture.clone(), s.os.to_string(), s.repeat)
}

/// The 95th percentile of the spread of scores across repeats of one fixture and os, within a run.
fn repeat_noise(run: &RunFile) -> Option<f64> {
    let mut groups: BTreeMap<(String, String), Vec<f64>> = BTreeMap::new();
    for s in &run.samples {
        if let Some(score) = s.score {
            groups.entry((s.fixture.clone(), s.os.to_string())).or_default().push(score);
        }
    }
    let spreads: Vec<f64> = groups
        .values()
        .filter(|v| v.len() > 1)
        .map(|v| v.iter().copied().fold(f64::MIN, f64::max) - v.iter().copied().fold(f64::MAX, f64::min))
        .collect();
    stats::quantile(&spreads, 0.95)
}

fn passed(d: Decision) -> bool {
    d == Decision::Pass
}

pub fn compare(baseline: &RunFile, current: &RunFile) -> Comparison {
    let base: BTreeMap<Key, &Sample> = baseline.samples.iter().map(|s| (key(s), s)).collect();
    let mut deltas = Vec::new();
    let mut flips = Vec::new();
    let mut changes = Vec::new();
    let mut pairs = 0;
    let judged = |d: Decision| matches!(d, Decision::Pass | Decision::ScoreReject);
    for c in &current.samples {
        let Some(b) = base.get(&key(c)) else { continue };
        pairs += 1;
        if let (Some(x), Some(y)) = (b.score, c.score) {
            deltas.push(y - x);
        }
        if judged(b.decision) != judged(c.decision) {
            changes.push(Change {
                fixture: c.fixture.clone(),
                os: c.os.to_string(),
                repeat: c.repeat,
                baseline: b.decision,
                current: c.decision,
            });
        }
        if judged(b.decision) && judged(c.decision) && passed(b.decision) != passed(c.decision) {
            flips.push(Flip {
                fixture: c.fixture.clone(),
                os: c.os.to_string(),
                repeat: c.repeat,
                baseline: b.decision,
                current: c.decision,
                baseline_score: b.score,
                current_score: c.score,
            });
        }
    }
    let abs: Vec<f64> = deltas.iter().map(|d| d.abs()).collect();
    let scores = |r: &RunFile| r.samples.iter().filter_map(|s| s.score).collect::<Vec<f64>>();
    let (sb, sc) = (scores(baseline), scores(current));
    let noise_floor =
        [repeat_noise(baseline), repeat_noise(current), Some(RESOLUTION)].into_iter().flatten().fold(0.0, f64::max);
    let wilcoxon = stats::wilcoxon_signed_rank(&deltas);
    let ks = stats::kolmogorov_smirnov(&sb, &sc);
    let wasserstein = stats::wasserstein(&sb, &sc);
    let p95 = stats::quantile(&abs, 0.95);
    let mut reasons = Vec::new();
    // Noise near the threshold flips decisions both ways; a shift flips them one way. The drift power
    // study (docs/liveness.md) showed that counting any flip as drift raised 85 % false alarms at noise 0.01.
    let down = flips.iter().filter(|f| passed(f.baseline)).count() as u64;
    let sign_p = stats::sign_test(down, flips.len() as u64);
    if !flips.is_empty() && sign_p < ALPHA {
        reasons.push(format!(
            "{} decision(s) flipped at the threshold, {down} of them from pass to reject (sign test p = {sign_p:.2e})",
            flips.len()
        ));
    }
    // A judged presentation that became a quality rejection (or the reverse) is the target deciding
    // differently; one that became an error is weighed by the error shares below.
    let decided = changes.iter().filter(|c| c.baseline != Decision::Error && c.current != Decision::Error).count();
    if decided > 0 {
        reasons.push(format!("{decided} presentation(s) judged in one run and not judged in the other"));
    }
    let count = |r: &RunFile| (r.samples.iter().filter(|s| s.decision == Decision::Error).count(), r.samples.len());
    let (eb, ec) = (count(baseline), count(current));
    let p_value = stats::fisher_exact(eb.0 as u64, (eb.1 - eb.0) as u64, ec.0 as u64, (ec.1 - ec.0) as u64);
    if p_value < ALPHA {
        reasons.push(format!(
            "the error share changed: {}/{} -> {}/{} presentations ended in an error (Fisher's exact p = {p_value:.2e})",
            eb.0, eb.1, ec.0, ec.1
        ));
    }
    if current.samples.iter().all(|s| !judged(s.decision)) {
        reasons.push("the current run judged no presentation".to_owned());
    }
    if p95.is_some_and(|p| p > noise_floor) && wilcoxon.p_value < ALPHA {
        reasons.push(format!(
            "paired scores moved: p95 |delta| {:.3} above the noise floor {noise_floor:.3}, Wilcoxon p = {:.2e}",
            p95.unwrap_or_default(),
            wilcoxon.p_value
        ));
    }
    if let (Some(k), Some(w)) = (ks, wasserstein)
        && k.p_value < ALPHA
        && w > noise_floor
    {
        reasons.push(format!(
            "the score distribution changed: KS D = {:.3} (p = {:.2e}), Wasserstein {w:.3}",
            k.d, k.p_value
        ));
    }
    let warning = (baseline.fingerprint != current.fingerprint).then(|| {
        format!("the runs are of different targets or thresholds ({} vs {})", baseline.target, current.target)
    });
    Comparison {
        pairs,
        scored_pairs: deltas.len(),
        median_abs_delta: stats::quantile(&abs, 0.5),
        p95_abs_delta: p95,
        mean_delta: (!deltas.is_empty()).then(|| deltas.iter().sum::<f64>() / deltas.len() as f64),
        flips,
        changes,
        errors: ErrorShares { baseline: eb, current: ec, p_value },
        wilcoxon,
        ks,
        wasserstein,
        noise_floor,
        verdict: if reasons.is_empty() { Verdict::Stable } else { Verdict::Drifted },
        reasons,
        warning,
    }
}

impl Comparison {
    /// The human summary `compare` prints.
    pub fn summary(&self) -> String {
        let f = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.4}"));
        let mut out = format!(
            "{} paired presentations ({} with scores on both sides)\nmedian |delta| {}  p95 |delta| {}  mean delta {}  noise floor {:.4}\n\
Wilcoxon signed-rank: n = {}, W+ = {}, p = {:.3e}\nKolmogorov-Smirnov: {}\nWasserstein: {}\n",
            self.pairs,
            self.scored_pairs,
            f(self.median_abs_delta),
            f(self.p95_abs_delta),
            f(self.mean_delta),
            self.noise_floor,
            self.wilcoxon.n,
            self.wilcoxon.w_plus,
            self.wilcoxon.p_value,
            self.ks.map_or("n/a".to_owned(), |k| format!("D = {:.4}, p = {:.3e}", k.d, k.p_value)),
            f(self.wasserstein),
        );
        if let Some(w) = &self.warning {
            out.push_str(&format!("warning: {w}\n"));
        }
        for flip in &self.flips {
            out.push_str(&format!(
                "flipped: {} os {} repeat {}: {:?} ({}) -> {:?} ({})\n",
                flip.fixture,
                flip.os,
                flip.repeat,
                flip.baseline,
                f(flip.baseline_score),
                flip.current,
                f(flip.current_score)
            ));
        }
        out.push_str(&format!(
            "errors: {}/{} -> {}/{} (Fisher's exact p = {:.3e})\n",
            self.errors.baseline.0,
            self.errors.baseline.1,
            self.errors.current.0,
            self.errors.current.1,
            self.errors.p_value
        ));
        for c in self.changes.iter().take(20) {
            out.push_str(&format!(
                "changed: {} os {} repeat {}: {:?} -> {:?}\n",
                c.fixture, c.os, c.repeat, c.baseline, c.current
            ));
        }
        if self.changes.len() > 20 {
            out.push_str(&format!("changed: ... and {} more\n", self.changes.len() - 20));
        }
        out.push_str(&format!("verdict: {}", if self.verdict == Verdict::Stable { "stable" } else { "drifted" }));
        for r in &self.reasons {
            out.push_str(&format!("\n  - {r}"));
        }
        out.push('\n');
        out
    }
}
