//! The statistics of a liveness run and of a comparison between two: error rates with exact
//! (Clopper–Pearson) intervals, quantiles, the Wilcoxon signed-rank test, the two-sample
//! Kolmogorov–Smirnov test and the Wasserstein distance. Pure functions; the distributions come from
//! `statrs`. Each is unit-tested against values computed independently (stated in the test).

use statrs::distribution::{Beta, ContinuousCDF, Normal, StudentsT};

/// A proportion `x / n` with its two-sided Clopper–Pearson interval at confidence `1 − alpha`.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rate {
    pub x: u64,
    pub n: u64,
    pub rate: f64,
    pub low: f64,
    pub high: f64,
}

/// The exact binomial interval: `Beta(α/2; x, n−x+1)` and `Beta(1−α/2; x+1, n−x)`, with the closed
/// ends at x = 0 and x = n. `None` when `n` is 0 (no presentations, no rate).
pub fn clopper_pearson(x: u64, n: u64, alpha: f64) -> Option<Rate> {
    if n == 0 || x > n {
        return None;
    }
    let (xf, nf) = (x as f64, n as f64);
    let low = if x == 0 { 0.0 } else { Beta::new(xf, nf - xf + 1.0).ok()?.inverse_cdf(alpha / 2.0) };
    let high = if x == n { 1.0 } else { Beta::new(xf + 1.0, nf - xf).ok()?.inverse_cdf(1.0 - alpha / 2.0) };
    Some(Rate { x, n, rate: xf / nf, low, high })
}

/// The `q`-quantile by linear interpolation between order statistics (R's and numpy's default, type 7).
pub(crate) fn quantile(values: &[f64], q: f64) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * q.clamp(0.0, 1.0);
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    Some(v[lo] + (h - lo as f64) * (v[hi] - v[lo]))
}

/// The result of a Wilcoxon signed-rank test.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Wilcoxon {
    /// Pairs with a non-zero difference (zeros are dropped, Wilcoxon's method).
    pub n: usize,
    /// Sum of the ranks of the positive differences.
    pub w_plus: f64,
    /// Two-sided p-value from the normal approximation with tie correction and continuity correction
    /// (1 when no difference is non-zero).
    pub p_value: f64,
}

/// Average ranks (1-based) of `values`, ties sharing the mean of their positions.
fn ranks(values: &[f64]) -> (Vec<f64>, Vec<usize>) {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|a, b| values[*a].total_cmp(&values[*b]));
    let mut r = vec![0.0; values.len()];
    let mut ties = Vec::new();
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let avg = (i + j) as f64 / 2.0 + 1.0;
        for k in i..=j {
            r[order[k]] = avg;
        }
        ties.push(j - i + 1);
        i = j + 1;
    }
    (r, ties)
}

pub(crate) fn wilcoxon_signed_rank(deltas: &[f64]) -> Wilcoxon {
    let nonzero: Vec<f64> = deltas.iter().copied().filter(|d| *d != 0.0).collect();
    let n = nonzero.len();
    if n == 0 {
        return Wilcoxon { n, w_plus: 0.0, p_value: 1.0 };
    }
    let abs: Vec<f64> = nonzero.iter().map(|d| d.abs()).collect();
    let (r, ties) = ranks(&abs);
    // `+ 0.0` turns the empty sum, which is -0.0, into 0.
    let w_plus: f64 = nonzero.iter().zip(&r).filter(|(d, _)| **d > 0.0).map(|(_, r)| r).sum::<f64>() + 0.0;
    let nf = n as f64;
    let mean = nf * (nf + 1.0) / 4.0;
    let tie_term: f64 = ties.iter().map(|t| (*t as f64).powi(3) - *t as f64).sum::<f64>() / 48.0;
    let var = nf * (nf + 1.0) * (2.0 * nf + 1.0) / 24.0 - tie_term;
    let p_value = if var <= 0.0 {
        1.0
    } else {
        let z = ((w_plus - mean).abs() - 0.5).max(0.0) / var.sqrt();
        let normal = Normal::standard();
        // The upper tail from the complementary error function: `1 − cdf` underflows to 0 past z ≈ 8.
        (2.0 * normal.sf(z)).min(1.0)
    };
    Wilcoxon { n, w_plus, p_value }
}

/// The two-sided p-value of Student's t statistic `t` with `df` degrees of freedom.
pub(crate) fn student_t_two_sided(t: f64, df: f64) -> f64 {
    if !t.is_finite() {
        return if t.is_nan() { 1.0 } else { 0.0 };
    }
    match StudentsT::new(0.0, 1.0, df) {
        Ok(dist) => (2.0 * dist.sf(t.abs())).min(1.0),
        Err(_) => 1.0,
    }
}

/// The two-sample Kolmogorov–Smirnov statistic and its asymptotic p-value.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct KolmogorovSmirnov {
    pub d: f64,
    pub p_value: f64,
}

/// `D = sup |F_a − F_b|`; the p-value is the Kolmogorov distribution's tail at
/// `λ = (√m + 0.12 + 0.11/√m)·D` with `m = n_a·n_b/(n_a+n_b)` (Stephens' correction, as in
/// Numerical Recipes' `kstwo`). `None` when a sample is empty.
pub(crate) fn kolmogorov_smirnov(a: &[f64], b: &[f64]) -> Option<KolmogorovSmirnov> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let (na, nb) = (a.len() as f64, b.len() as f64);
    let (mut i, mut j, mut d) = (0usize, 0usize, 0.0f64);
    while i < a.len() && j < b.len() {
        let x = a[i].min(b[j]);
        while i < a.len() && a[i] <= x {
            i += 1;
        }
        while j < b.len() && b[j] <= x {
            j += 1;
        }
        d = d.max((i as f64 / na - j as f64 / nb).abs());
    }
    let m = na * nb / (na + nb);
    let lambda = (m.sqrt() + 0.12 + 0.11 / m.sqrt()) * d;
    Some(KolmogorovSmirnov { d, p_value: kolmogorov_tail(lambda) })
}

/// `Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}`, which is 1 at λ = 0.
fn kolmogorov_tail(lambda: f64) -> f64 {
    if lambda < 1e-3 {
        return 1.0;
    }
    let mut sum = 0.0;
    for k in 1..=100 {
        let kf = f64::from(k);
        let term = (-2.0 * kf * kf * lambda * lambda).exp();
        sum += if k % 2 == 1 { term } else { -term };
        if term < 1e-12 {
            break;
        }
    }
    (2.0 * sum).clamp(0.0, 1.0)
}

/// The first Wasserstein (earth mover's) distance between two empirical distributions on the line:
/// `∫ |F_a(x) − F_b(x)| dx`.
pub(crate) fn wasserstein(a: &[f64], b: &[f64]) -> Option<f64> {
    if a.is_empty() || b.is_empty() {
        return None;
    }
    let (mut a, mut b) = (a.to_vec(), b.to_vec());
    a.sort_by(f64::total_cmp);
    b.sort_by(f64::total_cmp);
    let mut all: Vec<f64> = a.iter().chain(b.iter()).copied().collect();
    all.sort_by(f64::total_cmp);
    let cdf = |s: &[f64], x: f64| s.partition_point(|v| *v <= x) as f64 / s.len() as f64;
    Some(all.windows(2).map(|w| (cdf(&a, w[0]) - cdf(&b, w[0])).abs() * (w[1] - w[0])).sum())
}

/// The exact two-sided sign test: the probability, under a fair coin, of a split of `n` at least as
/// uneven as `k` against `n − k` (scipy's `binomtest(k, n, 0.5)`). Used on the directions of the
/// decisions that flipped between two runs: noise flips both ways, a shift one way.
pub(crate) fn sign_test(k: u64, n: u64) -> f64 {
    use statrs::function::factorial::ln_binomial;
    if n == 0 {
        return 1.0;
    }
    let pmf = |i: u64| (ln_binomial(n, i) - n as f64 * std::f64::consts::LN_2).exp();
    let extreme = k.min(n - k);
    let tail: f64 = (0..=extreme).map(pmf).sum();
    // Symmetric: the other tail is the same, except that an even split counts once.
    let p = if 2 * extreme == n { 1.0 } else { 2.0 * tail };
    p.min(1.0)
}

/// Fisher's exact test of a 2×2 table `[[a, b], [c, d]]`, two-sided as scipy computes it: the sum of
/// the hypergeometric probabilities of every table with the same margins that is no more likely than
/// the one observed (with scipy's relative tolerance of 1e-7). Used on the error shares of two runs.
pub(crate) fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    use statrs::function::factorial::ln_factorial;
    let (row, col, total) = (a + b, a + c, a + b + c + d);
    if total == 0 {
        return 1.0;
    }
    let ln_p = |x: u64| {
        ln_factorial(row) + ln_factorial(total - row) + ln_factorial(col) + ln_factorial(total - col)
            - ln_factorial(total)
            - ln_factorial(x)
            - ln_factorial(row - x)
            - ln_factorial(col - x)
            - ln_factorial(total - row - col + x)
    };
    let observed = ln_p(a);
    let low = (row + col).saturating_sub(total);
    let p: f64 = (low..=row.min(col)).map(ln_p).filter(|l| *l <= observed + 1e-7).map(f64::exp).sum();
    p.min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn clopper_pearson_matches_r_binom_test() {
        // R 4.x: binom.test(5, 10)$conf.int = 0.1870860 0.8129140
        let r = clopper_pearson(5, 10, 0.05).expect("rate");
        assert!(close(r.low, 0.187_086_0, 1e-6) && close(r.high, 0.812_914_0, 1e-6), "{r:?}");
        // x = 0: the upper end has the closed form 1 − (α/2)^(1/n) = 0.3084971 for n = 10.
        let r = clopper_pearson(0, 10, 0.05).expect("rate");
        assert!(r.low == 0.0 && close(r.high, 1.0 - 0.025f64.powf(0.1), 1e-7), "{r:?}");
        // R: binom.test(1, 20)$conf.int = 0.001265 0.248733
        let r = clopper_pearson(1, 20, 0.05).expect("rate");
        assert!(close(r.low, 0.001_265, 1e-6) && close(r.high, 0.248_733, 1e-6), "{r:?}");
        assert_eq!(clopper_pearson(0, 0, 0.05), None);
        let all = clopper_pearson(10, 10, 0.05).expect("rate");
        assert!(all.high == 1.0 && close(all.low, 0.025f64.powf(0.1), 1e-7));
    }

    #[test]
    fn quantiles_match_numpy_linear() {
        // numpy.percentile([1, 2, 3, 4, 10], [50, 95]) = [3.0, 8.8]
        let v = [10.0, 1.0, 3.0, 2.0, 4.0];
        assert_eq!(quantile(&v, 0.5), Some(3.0));
        assert!(close(quantile(&v, 0.95).expect("q"), 8.8, 1e-12));
        assert_eq!(quantile(&[], 0.5), None);
    }

    #[test]
    #[expect(clippy::approx_constant, reason = "3.14 is a measurement in the published data set, not π")]
    fn wilcoxon_matches_the_r_documentation_example() {
        // ?wilcox.test, Hollander & Wolfe's depression data: x − y, V = 40. Normal approximation with
        // continuity correction: scipy.stats.wilcoxon(x − y, method="approx", correction=True) gives
        // p = 0.044011 (statistic min(W+, W−) = 5).
        let x = [1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30];
        let y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
        let d: Vec<f64> = x.iter().zip(&y).map(|(a, b)| a - b).collect();
        let w = wilcoxon_signed_rank(&d);
        assert_eq!((w.n, w.w_plus), (9, 40.0));
        assert!(close(w.p_value, 0.044_011, 1e-5), "{w:?}");
        assert_eq!(wilcoxon_signed_rank(&[0.0, 0.0]).p_value, 1.0);
    }

    #[test]
    fn wilcoxon_keeps_small_p_values() {
        // 1..=200, all positive: z = 12.26. scipy.stats.wilcoxon(list(range(1, 201)), method="approx",
        // correction=True).pvalue = 1.4470017348102398e-34 (scipy 1.17.1); `2(1 − Φ(z))` gave 0.
        let d: Vec<f64> = (1..=200).map(f64::from).collect();
        let w = wilcoxon_signed_rank(&d);
        assert!(((w.p_value - 1.447_001_734_810_239_8e-34) / 1.447e-34).abs() < 1e-6, "{w:?}");
    }

    #[test]
    fn student_t_matches_scipy() {
        // python -c "from scipy import stats; print(2 * stats.t.sf(t, df))" (scipy 1.17.1)
        for (t, df, want) in [
            (2.5, 10.0, 0.031_446_844_236_608_82),
            (-3.1, 99.0, 0.002_520_195_824_463_759),
            (12.0, 200.0, 2.422_136_005_246_625e-25),
            (0.3, 4.0, 0.779_121_428_277_459_8),
        ] {
            let got = student_t_two_sided(t, df);
            assert!(((got - want) / want).abs() < 1e-8, "t {t} df {df}: {got} vs {want}");
        }
        assert_eq!(student_t_two_sided(f64::INFINITY, 3.0), 0.0);
    }

    #[test]
    fn wilcoxon_handles_ties_and_zeros() {
        // d = [0, 1, 1, -2, 3, 3, 3]: zero dropped; |d| ranks 1.5, 1.5, 3, 5, 5, 5; W+ = 18.
        // var = 6·7·13/24 − ((2³−2) + (3³−3))/48 = 22.75 − 0.625 = 22.125;
        // z = (|18 − 10.5| − 0.5)/√22.125 = 1.48818; scipy.stats.wilcoxon(d, method="approx",
        // correction=True, zero_method="wilcox") gives p = 0.136703.
        let w = wilcoxon_signed_rank(&[0.0, 1.0, 1.0, -2.0, 3.0, 3.0, 3.0]);
        assert_eq!((w.n, w.w_plus), (6, 18.0));
        assert!(close(w.p_value, 0.136_703, 1e-5), "{w:?}");
    }

    #[test]
    fn kolmogorov_smirnov_statistic_and_tail() {
        let a = [0.1, 0.2, 0.3, 0.4, 0.5];
        let b = [0.35, 0.45, 0.55, 0.65, 0.75];
        let ks = kolmogorov_smirnov(&a, &b).expect("ks");
        assert!(close(ks.d, 0.6, 1e-12), "{ks:?}");
        // λ = (√2.5 + 0.12 + 0.11/√2.5)·0.6 = 1.062425; scipy.stats.kstwobign.sf(λ) = 0.208985.
        assert!(close(ks.p_value, 0.208_985, 1e-5), "{ks:?}");
        let same = kolmogorov_smirnov(&a, &a).expect("ks");
        assert_eq!((same.d, same.p_value), (0.0, 1.0));
    }

    #[test]
    fn wasserstein_matches_scipy() {
        // scipy.stats.wasserstein_distance: ([0, 1, 3], [5, 6, 8]) = 5.0; ([0, 1], [0, 2]) = 0.5;
        // ([0, 1, 3], [5, 6, 8, 9]) = 5.666667.
        assert!(close(wasserstein(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0]).expect("w"), 5.0, 1e-12));
        assert!(close(wasserstein(&[0.0, 1.0], &[0.0, 2.0]).expect("w"), 0.5, 1e-12));
        assert!(close(wasserstein(&[0.0, 1.0, 3.0], &[5.0, 6.0, 8.0, 9.0]).expect("w"), 5.666_667, 1e-6));
        assert_eq!(wasserstein(&[], &[1.0]), None);
    }

    #[test]
    fn fisher_exact_matches_scipy() {
        // python -c "from scipy.stats import fisher_exact; print(fisher_exact(T).pvalue)"
        // (scipy 1.17.1, in a throw-away venv), for each table T below.
        let cases = [
            ((0, 162, 162, 0), 1.321_231_585_362_184_7e-96),
            ((3, 159, 10, 152), 0.085_811_967_774_376_84),
            ((1, 20, 5, 16), 0.183_611_378_733_329_94),
            ((0, 10, 0, 10), 1.0),
            ((2, 7, 8, 2), 0.023_014_137_565_221_16),
        ];
        for ((a, b, c, d), want) in cases {
            let got = fisher_exact(a, b, c, d);
            assert!(((got - want) / want).abs() < 1e-9, "{a} {b} {c} {d}: {got} vs {want}");
        }
    }

    #[test]
    fn sign_test_matches_scipy() {
        // python -c "from scipy.stats import binomtest; print(binomtest(k, n, 0.5).pvalue)" (scipy 1.17.1)
        for (k, n, want) in [(6, 6, 0.03125), (9, 9, 0.00390625), (3, 7, 1.0), (0, 4, 0.125), (10, 12, 0.03857421875)] {
            let got = sign_test(k, n);
            assert!((got - want).abs() < 1e-12, "{k}/{n}: {got} vs {want}");
        }
        assert_eq!(sign_test(0, 0), 1.0);
    }
}
