//! Trends across runs (`history --out DIR RUN...`): liveness runs (a `liveness --out` directory) and
//! conformance runs (an `--ndjson` file), ordered by when they started. Per fixture class the median
//! score of each run against a band set from a reference window (the first N runs: mean ± 3 standard
//! deviations of their medians, at least ± 0.01 wide), the error share of each liveness run, and per
//! behaviour its verdict in each conformance run. A run whose median leaves the band, and a behaviour
//! whose verdict changes, are marked; the latest run leaving the band, or a behaviour failing in the
//! latest run that passed in the one before, is what makes the command exit 1.

pub(crate) mod html;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;
use statrs::statistics::{Data, Median, Statistics};

use crate::liveness::record::{Decision, RunFile};

/// The summary's format.
pub(crate) const FORMAT_VERSION: u32 = 1;
/// The narrowest half-width of a band: a reference window of identical medians still allows this.
pub(crate) const MIN_HALF_WIDTH: f64 = 0.01;

/// One run, as the page names it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRef {
    pub source: String,
    pub started_at: String,
    pub target: String,
}

/// A fixture class's median score across the liveness runs.
#[derive(Debug, Clone, Serialize)]
pub struct ClassTrend {
    /// One per liveness run; `None` when the run scored nothing of the class.
    pub medians: Vec<Option<f64>>,
    /// `[low, high]` from the reference window, when it had medians.
    pub band: Option<[f64; 2]>,
    /// Indices of the runs whose median lies outside the band.
    pub out_of_band: Vec<usize>,
}

/// A verdict that changed between two consecutive conformance runs.
#[derive(Debug, Clone, Serialize)]
pub struct Flip {
    pub behaviour: String,
    /// Index of the run where the new verdict first shows.
    pub run: usize,
    pub from: String,
    pub to: String,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct History {
    pub format_version: u32,
    pub reference_runs: usize,
    pub liveness_runs: Vec<RunRef>,
    pub classes: BTreeMap<String, ClassTrend>,
    /// Share of presentations of each liveness run that ended in an error.
    pub error_share: Vec<f64>,
    pub conformance_runs: Vec<RunRef>,
    /// Per behaviour, its verdict in each conformance run (`absent` when it did not run).
    pub behaviours: BTreeMap<String, Vec<String>>,
    pub flips: Vec<Flip>,
    /// Why the command exits 1; empty when it exits 0.
    pub alarms: Vec<String>,
}

/// A run read from disk.
enum Run {
    Liveness(RunRef, Box<RunFile>),
    Conformance(RunRef, BTreeMap<String, String>),
}

impl Run {
    fn started_at(&self) -> &str {
        match self {
            Run::Liveness(r, _) | Run::Conformance(r, _) => &r.started_at,
        }
    }
}

fn read(path: &Path) -> Result<Run, String> {
    let file: PathBuf = if path.is_dir() { path.join("run.json") } else { path.to_owned() };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let source = path.display().to_string();
    if let Ok(run) = serde_json::from_str::<RunFile>(&text) {
        let r = RunRef { source, started_at: run.created_at.clone(), target: run.target.clone() };
        return Ok(Run::Liveness(r, Box::new(run)));
    }
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header: serde_json::Value = lines
        .next()
        .and_then(|l| serde_json::from_str(l).ok())
        .filter(|h: &serde_json::Value| h["record"] == "header")
        .ok_or_else(|| format!("{} is neither a liveness run.json nor an NDJSON file with a header", file.display()))?;
    let mut verdicts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, line) in lines.enumerate() {
        let e: serde_json::Value = serde_json::from_str(line)
            .map_err(|err| format!("{} line {} is not JSON: {err}", file.display(), n + 2))?;
        if let (Some(b), Some(v)) = (e["behaviour"].as_str(), e["verdict"].as_str()) {
            verdicts.entry(b.to_owned()).or_default().push(v.to_owned());
        }
    }
    let folded = verdicts.into_iter().map(|(b, vs)| (b, fold(&vs).to_owned())).collect();
    let r = RunRef {
        source,
        started_at: header["started_at"].as_str().unwrap_or_default().to_owned(),
        target: header["target"].as_str().unwrap_or_default().to_owned(),
    };
    Ok(Run::Conformance(r, folded))
}

/// A behaviour's verdict in a run, from its checks' verdicts: the worst one.
fn fold(verdicts: &[String]) -> &'static str {
    let has = |v: &str| verdicts.iter().any(|x| x == v);
    if has("fail") {
        "fail"
    } else if has("known") {
        "known"
    } else if has("warn") {
        "warn"
    } else if verdicts.iter().all(|x| x == "skipped") {
        "skipped"
    } else {
        "pass"
    }
}

/// Reads the runs, orders them by start time and works out the trends.
pub fn build(paths: &[PathBuf], reference: usize) -> Result<History, String> {
    let mut runs = paths.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
    runs.sort_by(|a, b| a.started_at().cmp(b.started_at()));
    let mut h = History { format_version: FORMAT_VERSION, reference_runs: reference, ..History::default() };
    let mut per_class: BTreeMap<String, Vec<Option<f64>>> = BTreeMap::new();
    let mut conformance: Vec<BTreeMap<String, String>> = Vec::new();
    for run in runs {
        match run {
            Run::Liveness(r, file) => {
                let i = h.liveness_runs.len();
                h.liveness_runs.push(r);
                let mut scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
                for s in &file.samples {
                    per_class.entry(s.class.label()).or_default();
                    if let Some(score) = s.score {
                        scores.entry(s.class.label()).or_default().push(score);
                    }
                }
                for (class, medians) in per_class.iter_mut() {
                    medians.resize(i, None);
                    medians.push(scores.remove(class).map(|v| Data::new(v).median()));
                }
                let errors = file.samples.iter().filter(|s| s.decision == Decision::Error).count();
                h.error_share.push(errors as f64 / file.samples.len().max(1) as f64);
            }
            Run::Conformance(r, verdicts) => {
                h.conformance_runs.push(r);
                conformance.push(verdicts);
            }
        }
    }
    let n = h.liveness_runs.len();
    for (class, mut medians) in per_class {
        medians.resize(n, None);
        let window: Vec<f64> = medians.iter().take(reference).flatten().copied().collect();
        let band = band(&window);
        let out_of_band: Vec<usize> = match band {
            Some([lo, hi]) => {
                (0..n).filter(|i| medians[*i].is_some_and(|m| m < lo - 1e-12 || m > hi + 1e-12)).collect()
            }
            None => Vec::new(),
        };
        if let (Some(last), Some(m), Some([lo, hi])) = (n.checked_sub(1), medians.last().copied().flatten(), band)
            && out_of_band.contains(&last)
        {
            h.alarms.push(format!("{class}: the latest median {m:.3} lies outside the band [{lo:.3}, {hi:.3}]"));
        }
        h.classes.insert(class, ClassTrend { medians, band, out_of_band });
    }
    let ids: std::collections::BTreeSet<&String> = conformance.iter().flat_map(|v| v.keys()).collect();
    for id in ids {
        let series: Vec<String> =
            conformance.iter().map(|v| v.get(id).cloned().unwrap_or_else(|| "absent".into())).collect();
        for (i, pair) in series.windows(2).enumerate() {
            if pair[0] != pair[1] {
                h.flips.push(Flip { behaviour: id.clone(), run: i + 1, from: pair[0].clone(), to: pair[1].clone() });
            }
        }
        if let [.., before, last] = series.as_slice()
            && last == "fail"
            && before == "pass"
        {
            h.alarms.push(format!("{id} fails in the latest run and passed in the one before"));
        }
        h.behaviours.insert(id.clone(), series);
    }
    Ok(h)
}

/// The band of a reference window: its mean ± 3 sample standard deviations, at least
/// ± [`MIN_HALF_WIDTH`]; none for an empty window.
pub(crate) fn band(window: &[f64]) -> Option<[f64; 2]> {
    if window.is_empty() {
        return None;
    }
    let (mean, sd) = (window.iter().mean(), if window.len() > 1 { window.iter().std_dev() } else { 0.0 });
    let half = (3.0 * sd).max(MIN_HALF_WIDTH);
    Some([mean - half, mean + half])
}

/// Writes `history.json` and `index.html` into `dir`.
pub fn write(dir: &Path, h: &History) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(h).map_err(std::io::Error::other)?;
    crate::target::redactor::write_artefact(&dir.join("history.json"), json)?;
    crate::target::redactor::write_artefact(&dir.join("index.html"), html::render(h))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_behaviours_verdict_is_its_worst_check() {
        let v = |s: &[&str]| s.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        assert_eq!(fold(&v(&["pass", "fail", "known"])), "fail");
        assert_eq!(fold(&v(&["pass", "known"])), "known");
        assert_eq!(fold(&v(&["skipped", "skipped"])), "skipped");
        assert_eq!(fold(&v(&["pass", "skipped"])), "pass");
    }

    /// The band is the reference window's mean ± 3 sample standard deviations. numpy, medians
    /// [0.80, 0.81, 0.79, 0.80, 0.82]: `m.mean() = 0.804`, `m.std(ddof=1) = 0.0114018`, so the band is
    /// [0.769795, 0.838205]; with identical medians the floor of ± 0.01 applies.
    #[test]
    fn bands_come_from_the_reference_window() {
        let [lo, hi] = band(&[0.80, 0.81, 0.79, 0.80, 0.82]).expect("a band");
        assert!((lo - 0.769_795).abs() < 1e-6 && (hi - 0.838_205).abs() < 1e-6, "[{lo}, {hi}]");
        let [lo, hi] = band(&[0.7, 0.7, 0.7]).expect("a band");
        assert!((lo - 0.69).abs() < 1e-12 && (hi - 0.71).abs() < 1e-12, "[{lo}, {hi}]");
        assert_eq!(band(&[]), None);
    }
}
