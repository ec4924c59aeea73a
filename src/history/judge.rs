//! Judging the class means of liveness runs: the level test (a Student-t prediction from the
//! reference window), the trend test (the t-test of a least-squares slope), Holm's procedure over every
//! test of a page, the practical margin, and the bands the page draws.

use std::collections::BTreeMap;

use serde::Serialize;
use statrs::statistics::Statistics;

/// The practical margin: a mean (or a trend's total) that moved less than this never alarms, and the
/// narrowest half-width a band is drawn with.
pub(crate) const MIN_HALF_WIDTH: f64 = 0.01;

/// How a page judges its liveness runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Liveness runs in the reference window.
    pub reference: usize,
    /// The first run of the window (0-based, in time order): after an accepted change, the window
    /// starts again at the first run with the new behaviour.
    pub reference_start: usize,
    /// The chance of any alarm on a page of unchanged runs.
    pub family_alpha: f64,
}

impl Default for Options {
    fn default() -> Options {
        Options { reference: 5, reference_start: 0, family_alpha: 0.03 }
    }
}

/// One test of one class, as the page reports it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ClassTest {
    /// The latest mean less the window's mean (level), or the slope per run times the runs it spans
    /// (trend).
    pub effect: f64,
    pub t: f64,
    pub df: f64,
    pub p_value: f64,
    /// Whether it alarmed (Holm over every test of the page, and the practical margin).
    pub alarmed: bool,
}

/// A fixture class's mean score across the liveness runs.
#[derive(Debug, Clone, Serialize)]
pub struct ClassTrend {
    /// One per liveness run; `None` when the run scored nothing of the class.
    pub means: Vec<Option<f64>>,
    /// `[low, high]`: where a new mean may fall on an unchanged target, the prediction interval of
    /// the reference window at the page's per-test level (at least ± `MIN_HALF_WIDTH`).
    pub band: Option<[f64; 2]>,
    /// Indices of the runs whose mean lies outside the band.
    pub out_of_band: Vec<usize>,
    /// The latest mean against the window.
    pub level: Option<ClassTest>,
    /// The slope of the means from the window's start to the latest run.
    pub trend: Option<ClassTest>,
}

/// What the tests made of a page's liveness runs.
#[derive(Debug, Default)]
pub(crate) struct Judged {
    pub classes: BTreeMap<String, ClassTrend>,
    pub alarms: Vec<String>,
    pub guarantee: String,
}

/// The level and trend tests of every class, Holm over all of them, the bands, and the alarms.
pub(crate) fn judge(per_class: BTreeMap<String, Vec<Option<f64>>>, n: usize, options: Options) -> Judged {
    let mut out = Judged::default();
    let mut classes: Vec<(String, ClassTrend)> = Vec::new();
    for (class, mut means) in per_class {
        means.resize(n, None);
        let start = options.reference_start.min(n);
        let window: Vec<f64> = means.iter().skip(start).take(options.reference).flatten().copied().collect();
        let latest = n.checked_sub(1).filter(|l| *l >= start + options.reference).and_then(|l| means[l]);
        let level = latest.and_then(|m| level_test(&window, m));
        let since: Vec<(f64, f64)> =
            means.iter().enumerate().skip(start).filter_map(|(i, m)| m.map(|m| (i as f64, m))).collect();
        let trend = (n > start + options.reference).then(|| trend_test(&since)).flatten();
        classes.push((class, ClassTrend { means, band: None, out_of_band: Vec::new(), level, trend }));
    }
    let tests =
        classes.iter().map(|(_, c)| usize::from(c.level.is_some()) + usize::from(c.trend.is_some())).sum::<usize>();
    let per_test = options.family_alpha / tests.max(1) as f64;
    // Holm's step-down: the k-th smallest p-value (k from 0) is held to alpha / (m − k); once one is not
    // rejected, none after it is.
    let mut ps: Vec<f64> = classes.iter().flat_map(|(_, c)| [c.level, c.trend]).flatten().map(|t| t.p_value).collect();
    ps.sort_by(f64::total_cmp);
    let cut = ps
        .iter()
        .enumerate()
        .take_while(|(k, p)| **p < options.family_alpha / (ps.len() - k) as f64)
        .last()
        .map(|(_, p)| *p);
    let rejected = |p: f64| cut.is_some_and(|c| p <= c);
    for (class, mut trend) in classes {
        let start = options.reference_start.min(n);
        let window: Vec<f64> = trend.means.iter().skip(start).take(options.reference).flatten().copied().collect();
        trend.band = band(&window, per_test);
        if let Some([lo, hi]) = trend.band {
            trend.out_of_band =
                (0..n).filter(|i| trend.means[*i].is_some_and(|m| m < lo - 1e-12 || m > hi + 1e-12)).collect();
        }
        let tests = [
            (trend.level.as_mut(), "the latest mean moved", "from the reference window (level, Student-t prediction"),
            (
                trend.trend.as_mut(),
                "the means drift by",
                "over the runs since the window's start (trend, t-test of the slope",
            ),
        ];
        for (t, what, how) in tests {
            let Some(t) = t else { continue };
            // A value equal to the margin counts as reaching it: no alarm turns on the last bit of a sum.
            t.alarmed = rejected(t.p_value) && t.effect.abs() + 1e-9 >= MIN_HALF_WIDTH;
            if t.alarmed {
                out.alarms.push(format!("{class}: {what} {:+.3} {how}, p = {:.2e})", t.effect, t.p_value));
            }
        }
        out.classes.insert(class, trend);
    }
    out.guarantee = format!(
        "{tests} tests on this page (level and trend per class), Holm at {:.0} %: on runs of an unchanged target, \
an alarm on this page at most {:.0} % of the time; a movement under {MIN_HALF_WIDTH} never alarms",
        100.0 * options.family_alpha,
        100.0 * options.family_alpha
    );
    out
}

/// The latest mean `m` against a window of means: `t = (m − mean) / (s·√(1 + 1/k))`, Student's t
/// with `k − 1` degrees of freedom (a prediction interval). `None` with fewer than two runs.
fn level_test(window: &[f64], m: f64) -> Option<ClassTest> {
    let k = window.len();
    if k < 2 {
        return None;
    }
    let kf = k as f64;
    let mean = window.iter().sum::<f64>() / kf;
    let sd = (window.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (kf - 1.0)).sqrt();
    let effect = m - mean;
    let scale = sd * (1.0 + 1.0 / kf).sqrt();
    let (t, p_value) = t_and_p(effect, scale, kf - 1.0);
    Some(ClassTest { effect, t, df: kf - 1.0, p_value, alarmed: false })
}

/// The least-squares slope of `(run, mean)` points and its t-test (`n − 2` degrees of freedom); the
/// effect is the slope times the runs it spans. `None` with fewer than three points.
fn trend_test(points: &[(f64, f64)]) -> Option<ClassTest> {
    let n = points.len();
    if n < 3 {
        return None;
    }
    let nf = n as f64;
    let (mx, my) = (points.iter().map(|p| p.0).sum::<f64>() / nf, points.iter().map(|p| p.1).sum::<f64>() / nf);
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    if sxx == 0.0 {
        return None;
    }
    let slope = sxy / sxx;
    let residual: f64 = points.iter().map(|p| (p.1 - my - slope * (p.0 - mx)).powi(2)).sum();
    let scale = (residual / (nf - 2.0) / sxx).sqrt();
    let span = points.last().map_or(0.0, |p| p.0) - points.first().map_or(0.0, |p| p.0);
    let (t, p_value) = t_and_p(slope, scale, nf - 2.0);
    Some(ClassTest { effect: slope * span, t, df: nf - 2.0, p_value, alarmed: false })
}

/// `effect / scale` and its two-sided Student-t p-value; a scale of 0 (identical means) gives p = 1
/// for no effect and 0 for any.
fn t_and_p(effect: f64, scale: f64, df: f64) -> (f64, f64) {
    if scale > 0.0 {
        let t = effect / scale;
        (t, crate::liveness::stats::student_t_two_sided(t, df))
    } else if effect.abs() < 1e-12 {
        (0.0, 1.0)
    } else {
        (f64::INFINITY.copysign(effect), 0.0)
    }
}

/// Where a new mean of an unchanged target falls with probability `1 − alpha`: the window's mean ±
/// `t(1 − alpha/2, k − 1)·s·√(1 + 1/k)`, at least ± [`MIN_HALF_WIDTH`]; ± `MIN_HALF_WIDTH` around a
/// single run; none for an empty window.
pub(crate) fn band(window: &[f64], alpha: f64) -> Option<[f64; 2]> {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    let k = window.len();
    if k == 0 {
        return None;
    }
    let mean = window.iter().mean();
    let half = if k > 1 {
        let sd = window.iter().std_dev();
        let q = StudentsT::new(0.0, 1.0, (k - 1) as f64).map_or(f64::INFINITY, |t| t.inverse_cdf(1.0 - alpha / 2.0));
        q * sd * (1.0 + 1.0 / k as f64).sqrt()
    } else {
        0.0
    };
    Some([mean - half.max(MIN_HALF_WIDTH), mean + half.max(MIN_HALF_WIDTH)])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The band is a Student-t prediction interval. scipy 1.17.1, means m = [0.80, 0.81, 0.79, 0.80,
    /// 0.82] at alpha 0.01: `m.mean() + t.ppf(0.995, 4) * m.std(ddof=1) * sqrt(1 + 1/5)` =
    /// 0.804 ± 4.604095 × 0.0114018 × 1.0954451 = [0.746495, 0.861505]; with identical means the floor
    /// of ± 0.01 applies.
    #[test]
    fn bands_are_prediction_intervals_of_the_reference_window() {
        let [lo, hi] = band(&[0.80, 0.81, 0.79, 0.80, 0.82], 0.01).expect("a band");
        assert!((lo - 0.746_495).abs() < 1e-5 && (hi - 0.861_505).abs() < 1e-5, "[{lo}, {hi}]");
        let [lo, hi] = band(&[0.7, 0.7, 0.7], 0.01).expect("a band");
        assert!((lo - 0.69).abs() < 1e-12 && (hi - 0.71).abs() < 1e-12, "[{lo}, {hi}]");
        assert_eq!(band(&[], 0.01), None);
    }

    /// Level and trend against scipy 1.17.1: for the window above and a latest mean of 0.86,
    /// t = (0.86 − 0.804) / (0.0114018 × 1.0954451) = 4.483588, 2·t.sf(4.483588, 4) = 0.0109596; for
    /// the means 0.80, 0.805, 0.81, 0.82, 0.82, 0.83 at runs 0..5, `scipy.stats.linregress` gives slope
    /// 0.0058571, p = 0.00041249.
    #[test]
    fn level_and_trend_match_scipy() {
        let l = level_test(&[0.80, 0.81, 0.79, 0.80, 0.82], 0.86).expect("level");
        assert!((l.t - 4.483_588).abs() < 1e-5 && (l.p_value - 0.010_959_6).abs() < 1e-6, "{l:?}");
        let pts: Vec<(f64, f64)> =
            [0.80, 0.805, 0.81, 0.82, 0.82, 0.83].iter().enumerate().map(|(i, m)| (i as f64, *m)).collect();
        let t = trend_test(&pts).expect("trend");
        assert!((t.effect / 5.0 - 0.005_857_1).abs() < 1e-6 && (t.p_value - 0.000_412_49).abs() < 1e-7, "{t:?}");
    }
}
