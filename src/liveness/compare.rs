//! Comparing two runs. The verdict is decided on the scale it measures: scores are averaged over the
//! repeats of each (fixture, os), the averages are paired across the runs, and the mean paired delta is
//! tested against its own standard error (the spread of the paired deltas, plus the run-to-run offset
//! an operator says the target has, `--run-noise`), with a practical margin below which no shift is
//! reported; the same test runs within each fixture class, so that a change that moves attacks up and
//! bona fide photos down is not averaged away. The error shares (Fisher) decide too; all of them are one
//! family (Bonferroni at `FAMILY_ALPHA`). Presentations judged in one run and not in the other are a
//! change of decision whatever the noise. Decision flips at the threshold, the Wilcoxon signed-rank
//! test, Kolmogorov–Smirnov and Wasserstein are reported, not voted: a flip pattern is what any shift
//! does, and a test on discrete, clamped scores pooled over repeats is not calibrated for a verdict.

use std::collections::BTreeMap;

use serde::Serialize;

use super::record::{Decision, RunFile, Sample};
use super::stats::{self, KolmogorovSmirnov, Wilcoxon};

/// A shift of the mean score smaller than this is not reported however sure the test is: half the
/// hundredth scores are written in, so that a very large run does not flag shifts nobody can see.
pub const MARGIN: f64 = 0.005;
/// The chance that two runs of an unchanged target are called drifted by the score and error tests.
pub const FAMILY_ALPHA: f64 = 0.03;

/// What a comparison is told about the target beyond the two runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Standard deviation of the offset a target's scores share within one run and not across runs
    /// (a vendor's day-to-day movement), as measured by `history`; 0 assumes none.
    pub run_noise: f64,
    /// The practical margin (`MARGIN`).
    pub margin: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { run_noise: 0.0, margin: MARGIN }
    }
}

/// The paired mean shift: per (fixture, os) the mean score over its repeats in each run, paired, and
/// their mean difference against its standard error (Student's t with `groups − 1` degrees of freedom).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Shift {
    /// (fixture, os) pairs with a score on both sides.
    pub groups: usize,
    pub mean: f64,
    /// The standard error of `mean`: the paired deltas' spread over √groups, and √2 × `run_noise`.
    pub std_error: f64,
    pub t: f64,
    pub p_value: f64,
}

/// One test that can decide the verdict, with what it measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decider {
    pub test: String,
    pub p_value: f64,
    pub detail: String,
}

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
    /// The paired mean shift, when at least two (fixture, os) pairs have scores on both sides.
    pub shift: Option<Shift>,
    /// The exact sign test on the directions of the flips (reported, not voted).
    pub flip_sign_p: f64,
    pub wilcoxon: Wilcoxon,
    /// Between the score distributions as they are.
    pub ks: Option<KolmogorovSmirnov>,
    pub wasserstein: Option<f64>,
    /// The paired mean shift within each fixture class.
    pub class_shifts: BTreeMap<String, Shift>,
    /// The level each deciding test is held to: `FAMILY_ALPHA` over the number of tests.
    pub alpha_per_test: f64,
    pub options_run_noise: f64,
    pub verdict: Verdict,
    /// The tests that decided a drifted verdict, each with its p-value.
    pub decided_by: Vec<Decider>,
    pub reasons: Vec<String>,
    /// Set when the two runs are of different targets or thresholds (the comparison still runs).
    pub warning: Option<String>,
}

type Key = (String, String, u32);

fn key(s: &Sample) -> Key {
    (s.fixture.clone(), s.os.to_string(), s.repeat)
}

/// The mean score of each (fixture, os) over its repeats, where the decision was a judgement with a
/// disclosed score, with the fixture's class.
fn group_means(run: &RunFile) -> Groups {
    let mut groups: BTreeMap<(String, String), (f64, u32, String)> = BTreeMap::new();
    for s in &run.samples {
        if let (Some(score), Decision::Pass | Decision::ScoreReject) = (s.score, s.decision) {
            let g = groups.entry((s.fixture.clone(), s.os.to_string())).or_insert_with(|| (0.0, 0, s.class.label()));
            g.0 += score;
            g.1 += 1;
        }
    }
    groups.into_iter().map(|(k, (sum, n, class))| (k, (sum / f64::from(n), class))).collect()
}

type Groups = BTreeMap<(String, String), (f64, String)>;

/// The paired mean shift between the group means of two runs, over the groups of `class` (all when
/// `None`).
fn paired_shift(base: &Groups, cur: &Groups, run_noise: f64, class: Option<&str>) -> Option<Shift> {
    let deltas: Vec<f64> = cur
        .iter()
        .filter(|(_, (_, c))| class.is_none_or(|want| c == want))
        .filter_map(|(k, (c, _))| base.get(k).map(|(b, _)| c - b))
        .collect();
    let n = deltas.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mean = deltas.iter().sum::<f64>() / nf;
    let var = deltas.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (nf - 1.0);
    let std_error = (var / nf + 2.0 * run_noise * run_noise).sqrt();
    let (t, p_value) = if std_error > 0.0 {
        let t = mean / std_error;
        (t, stats::student_t_two_sided(t, nf - 1.0))
    } else if mean == 0.0 {
        (0.0, 1.0)
    } else {
        // Every pair moved by the same amount and nothing else moved: no noise to weigh it against.
        (f64::INFINITY.copysign(mean), 0.0)
    };
    Some(Shift { groups: n, mean, std_error, t, p_value })
}

fn passed(d: Decision) -> bool {
    d == Decision::Pass
}

/// `compare_with` and the default options: no run-to-run offset, the practical margin of `MARGIN`.
pub fn compare(baseline: &RunFile, current: &RunFile) -> Comparison {
    compare_with(baseline, current, Options::default())
}

pub fn compare_with(baseline: &RunFile, current: &RunFile, options: Options) -> Comparison {
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
    let (gb, gc) = (group_means(baseline), group_means(current));
    let shift = paired_shift(&gb, &gc, options.run_noise, None);
    let labels: std::collections::BTreeSet<&String> = gc.values().map(|(_, c)| c).collect();
    let class_shifts: BTreeMap<String, Shift> = labels
        .into_iter()
        .filter_map(|c| paired_shift(&gb, &gc, options.run_noise, Some(c)).map(|m| (c.clone(), m)))
        .collect();
    // The overall shift, one per class, the error shares.
    let alpha_per_test = FAMILY_ALPHA / (2 + class_shifts.len()) as f64;
    let down = flips.iter().filter(|f| passed(f.baseline)).count() as u64;
    let flip_sign_p = stats::sign_test(down, flips.len() as u64);
    let mut decided_by = Vec::new();
    // A measured value equal to the margin counts as reaching it: no verdict turns on the last bit of
    // a sum of hundredths.
    let reaches = |v: f64| v.abs() + 1e-9 >= options.margin;
    let shifts =
        shift.iter().map(|m| ("all classes".to_owned(), m)).chain(class_shifts.iter().map(|(c, m)| (c.clone(), m)));
    for (scope, m) in shifts.filter(|(_, m)| m.p_value < alpha_per_test && reaches(m.mean)) {
        decided_by.push(Decider {
            test: format!("paired mean shift, {scope} (t-test)"),
            p_value: m.p_value,
            detail: format!(
                "scores moved by {:+.4} on average over {} (fixture, os) pairs, standard error {:.4}",
                m.mean, m.groups, m.std_error
            ),
        });
    }
    let count = |r: &RunFile| (r.samples.iter().filter(|s| s.decision == Decision::Error).count(), r.samples.len());
    let (eb, ec) = (count(baseline), count(current));
    let p_value = stats::fisher_exact(eb.0 as u64, (eb.1 - eb.0) as u64, ec.0 as u64, (ec.1 - ec.0) as u64);
    if p_value < alpha_per_test {
        decided_by.push(Decider {
            test: "error shares (Fisher's exact test)".to_owned(),
            p_value,
            detail: format!("{}/{} -> {}/{} presentations ended in an error", eb.0, eb.1, ec.0, ec.1),
        });
    }
    let mut reasons: Vec<String> =
        decided_by.iter().map(|d| format!("{}: {} (p = {:.2e})", d.test, d.detail, d.p_value)).collect();
    // A judged presentation that became a quality rejection (or the reverse) is the target deciding
    // differently, whatever the noise; one that became an error is weighed by the error shares.
    let decided = changes.iter().filter(|c| c.baseline != Decision::Error && c.current != Decision::Error).count();
    if decided > 0 {
        reasons.push(format!("{decided} presentation(s) judged in one run and not judged in the other"));
    }
    if current.samples.iter().all(|s| !judged(s.decision)) {
        reasons.push("the current run judged no presentation".to_owned());
    }
    let warning = (baseline.fingerprint != current.fingerprint).then(|| {
        format!("the runs are of different targets or thresholds ({} vs {})", baseline.target, current.target)
    });
    Comparison {
        pairs,
        scored_pairs: deltas.len(),
        median_abs_delta: stats::quantile(&abs, 0.5),
        p95_abs_delta: stats::quantile(&abs, 0.95),
        mean_delta: (!deltas.is_empty()).then(|| deltas.iter().sum::<f64>() / deltas.len() as f64),
        flips,
        changes,
        errors: ErrorShares { baseline: eb, current: ec, p_value },
        shift,
        flip_sign_p,
        wilcoxon: stats::wilcoxon_signed_rank(&deltas),
        ks: stats::kolmogorov_smirnov(&sb, &sc),
        wasserstein: stats::wasserstein(&sb, &sc),
        class_shifts,
        alpha_per_test,
        options_run_noise: options.run_noise,
        verdict: if reasons.is_empty() { Verdict::Stable } else { Verdict::Drifted },
        decided_by,
        reasons,
        warning,
    }
}

impl Comparison {
    /// The human summary `compare` prints.
    pub fn summary(&self) -> String {
        let f = |v: Option<f64>| v.map_or("n/a".to_owned(), |v| format!("{v:.4}"));
        let ks = |k: Option<KolmogorovSmirnov>| {
            k.map_or("n/a".to_owned(), |k| format!("D = {:.4}, p = {:.3e}", k.d, k.p_value))
        };
        let shift = self.shift.map_or("n/a (fewer than two pairs with scores on both sides)".to_owned(), |m| {
            format!(
                "{:+.4} over {} (fixture, os) pairs, standard error {:.4}, t = {:.2}, p = {:.3e}",
                m.mean, m.groups, m.std_error, m.t, m.p_value
            )
        });
        let mut out = format!(
            "{} paired presentations ({} with scores on both sides)\nmedian |delta| {}  p95 |delta| {}  mean delta {}\n\
paired mean shift, all classes: {shift}\n",
            self.pairs,
            self.scored_pairs,
            f(self.median_abs_delta),
            f(self.p95_abs_delta),
            f(self.mean_delta),
        );
        for (class, m) in &self.class_shifts {
            out.push_str(&format!(
                "  {class}: {:+.4} over {} pairs, standard error {:.4}, p = {:.3e}\n",
                m.mean, m.groups, m.std_error, m.p_value
            ));
        }
        out.push_str(&format!(
            "Wilcoxon signed-rank (reported): n = {}, W+ = {}, p = {:.3e}\nKolmogorov-Smirnov (reported): {}\nWasserstein (reported): {}\n",
            self.wilcoxon.n,
            self.wilcoxon.w_plus,
            self.wilcoxon.p_value,
            ks(self.ks),
            f(self.wasserstein),
        ));
        if let Some(w) = &self.warning {
            out.push_str(&format!("warning: {w}\n"));
        }
        if !self.flips.is_empty() {
            let down = self.flips.iter().filter(|f| passed(f.baseline)).count();
            out.push_str(&format!(
                "{} decision(s) flipped at the threshold, {down} from pass to reject (sign test p = {:.3e}; reported, not voted)\n",
                self.flips.len(),
                self.flip_sign_p
            ));
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
        out.push_str(&format!("\n{}\n", self.guarantee()));
        out
    }

    /// What the verdict promises, in words.
    pub fn guarantee(&self) -> String {
        format!(
            "guarantee: {} tests (the paired mean shift over all classes and within each, the error shares) each decide at \
p < {:.2e}, so two runs of an unchanged target are called drifted at most {:.0} % of the time when its run-to-run offset \
has an SD of at most {} (--run-noise); a mean shift under {MARGIN} is never reported",
            2 + self.class_shifts.len(),
            self.alpha_per_test,
            100.0 * FAMILY_ALPHA,
            self.options_run_noise
        )
    }
}
