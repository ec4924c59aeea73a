//! Trends across runs (`history --out DIR RUN...`): liveness runs (a `liveness --out` directory) and
//! conformance runs (an `--ndjson` file), ordered by when they started.
//!
//! Per fixture class, the mean score of each liveness run is judged by two tests (the mean, not the
//! median: medians of scores written in hundredths tie from run to run, and a t-test on tied values
//! alarmed on 17 % of pages of an unchanged target where 3 % were promised): the **level** of
//! the latest mean against the reference window (N runs from `--rebase-at`: a Student-t prediction
//! interval, which accounts for how few runs set it), and the **trend** of the means from the start of
//! the window to the latest run (the t-test of a least-squares slope, which sees a slow drift that
//! widens the window it is judged against). Every test of every class on the page is one family: Holm's
//! procedure holds the chance of any alarm on a page of unchanged runs at `--false-alarm-rate` (3 %),
//! and a practical margin (0.01 of score, as a level or as the trend's total over the runs) keeps
//! invisible movements quiet. Each alarm names its test and p-value. A behaviour failing in the latest
//! conformance run that passed in the one before alarms too; any alarm makes the command exit 1.

pub(crate) mod html;
mod judge;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::liveness::record::{Decision, RunFile};
pub(crate) use judge::MIN_HALF_WIDTH;
pub use judge::{ClassTest, ClassTrend, Options};

/// The summary's format: 2 added the level and trend tests, their p-values and the guarantee.
pub(crate) const FORMAT_VERSION: u32 = 2;
/// One run, as the page names it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRef {
    pub source: String,
    pub started_at: String,
    pub target: String,
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
    /// The first run of the reference window (0-based).
    pub reference_start: usize,
    /// What an alarm on this page promises, in words.
    pub guarantee: String,
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
pub fn build(paths: &[PathBuf], options: Options) -> Result<History, String> {
    let mut runs = paths.iter().map(|p| read(p)).collect::<Result<Vec<_>, _>>()?;
    runs.sort_by(|a, b| a.started_at().cmp(b.started_at()));
    Ok(assemble(runs, options))
}

/// The trends of liveness runs already in memory, in the order given (the drift-power bench's pages).
pub fn of_liveness_runs(runs: Vec<RunFile>, options: Options) -> History {
    let runs = runs
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let at =
                RunRef { source: format!("run {}", i + 1), started_at: r.created_at.clone(), target: r.target.clone() };
            Run::Liveness(at, Box::new(r))
        })
        .collect();
    assemble(runs, options)
}

fn assemble(runs: Vec<Run>, options: Options) -> History {
    let mut h = History {
        format_version: FORMAT_VERSION,
        reference_runs: options.reference,
        reference_start: options.reference_start,
        ..History::default()
    };
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
                for (class, means) in per_class.iter_mut() {
                    means.resize(i, None);
                    means.push(scores.remove(class).map(|v| v.iter().sum::<f64>() / v.len() as f64));
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
    let judged = judge::judge(per_class, n, options);
    (h.classes, h.guarantee) = (judged.classes, judged.guarantee);
    h.alarms.extend(judged.alarms);
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
    h
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
}
