//! The self-contained HTML report of a liveness run: the error-rate table with its intervals, score
//! histograms per class and a DET curve as inline SVG, and every sample. No scripts, no assets.

use std::fmt::Write as _;
use std::path::Path;

use statrs::distribution::{ContinuousCDF, Normal};

use super::iso::BpcerAt;
use super::record::{Decision, RunFile};
use super::stats::Rate;
use crate::html::escape;

fn rate_cell(r: Option<&Rate>) -> String {
    r.map_or("n/a (no presentations)".to_owned(), |r| {
        format!(
            "{:.1}% ({}/{}) <small>[{:.1}%, {:.1}%]</small>",
            100.0 * r.rate,
            r.x,
            r.n,
            100.0 * r.low,
            100.0 * r.high
        )
    })
}

/// Histograms of disclosed scores, one row of bars per class, on one labelled score axis, with the
/// threshold drawn when the target disclosed it.
fn histograms(run: &RunFile) -> String {
    let mut classes: Vec<String> = run.samples.iter().map(|s| s.class.label()).collect();
    classes.sort();
    classes.dedup();
    let (bins, w, row, left) = (20usize, 400.0, 70.0, 150.0);
    let height = row * classes.len() as f64 + 60.0;
    let mut svg = format!("<svg xmlns='http://www.w3.org/2000/svg' width='580' height='{height}' font-size='11'>");
    for (i, class) in classes.iter().enumerate() {
        let scores: Vec<f64> =
            run.samples.iter().filter(|s| &s.class.label() == class).filter_map(|s| s.score).collect();
        let mut counts = vec![0usize; bins];
        for s in &scores {
            counts[((s * bins as f64) as usize).min(bins - 1)] += 1;
        }
        let max = counts.iter().copied().max().unwrap_or(1).max(1);
        let top = row * i as f64 + 10.0;
        let _ = write!(
            svg,
            "<text x='0' y='{}'>{}</text><text x='0' y='{}' fill='#666'>{} scored</text>",
            top + 30.0,
            escape(class),
            top + 44.0,
            scores.len()
        );
        let _ = write!(svg, "<text x='{}' y='{}' fill='#666'>{max}</text>", left - 18.0, top + 12.0);
        for (b, c) in counts.iter().enumerate() {
            let h = 50.0 * *c as f64 / max as f64;
            let _ = write!(
                svg,
                "<rect x='{:.1}' y='{:.1}' width='{:.1}' height='{h:.1}' fill='#4a7'/>",
                left + b as f64 * w / bins as f64,
                top + 55.0 - h,
                w / bins as f64 - 1.0
            );
        }
        let _ =
            write!(svg, "<line x1='{left}' x2='{}' y1='{}' y2='{}' stroke='#999'/>", left + w, top + 55.0, top + 55.0);
    }
    let axis = row * classes.len() as f64 + 10.0;
    let _ = write!(svg, "<line x1='{left}' x2='{}' y1='{axis}' y2='{axis}' stroke='#333'/>", left + w);
    for tick in 0..=10 {
        let x = left + w * f64::from(tick) / 10.0;
        let _ = write!(
            svg,
            "<line x1='{x}' x2='{x}' y1='{axis}' y2='{}' stroke='#333'/><text x='{}' y='{}'>{:.1}</text>",
            axis + 4.0,
            x - 8.0,
            axis + 16.0,
            f64::from(tick) / 10.0
        );
    }
    let _ = write!(
        svg,
        "<text x='{}' y='{}'>liveness score (0 to 1; bars: presentations per 0.05, tallest labelled)</text>",
        left + 60.0,
        axis + 34.0
    );
    if let Some(t) = run.threshold {
        let tx = left + w * t;
        let _ = write!(
            svg,
            "<line x1='{tx}' x2='{tx}' y1='0' y2='{axis}' stroke='#c33' stroke-dasharray='4'/><text x='{}' y='{}' fill='#c33'>threshold {t}</text>",
            tx + 3.0,
            axis - 4.0
        );
    }
    svg.push_str("</svg>");
    svg
}

/// The DET curve: APCER of the worst species against BPCER over every threshold the scores allow, on
/// probit axes with labelled ticks.
fn det_curve(run: &RunFile) -> String {
    let points = &run.metrics.operating_points;
    if points.is_empty() {
        return "<p>No DET curve: scores of both bona fide and attack presentations are needed (a target that hides pass scores leaves them censored).</p>".to_owned();
    }
    let normal = Normal::standard();
    let (lo, hi) = (0.001f64, 0.999f64);
    let probit = |p: f64| normal.inverse_cdf(p.clamp(lo, hi));
    let (pmin, pmax) = (probit(lo), probit(hi));
    let px = |p: f64| 60.0 + 300.0 * (probit(p) - pmin) / (pmax - pmin);
    let py = |p: f64| 320.0 - 300.0 * (probit(p) - pmin) / (pmax - pmin);
    let line: Vec<String> = points.iter().map(|p| format!("{:.1},{:.1}", px(p.apcer_max), py(p.bpcer))).collect();
    let mut distinct: Vec<(u64, u64)> =
        points.iter().map(|p| ((p.apcer_max * 1e9) as u64, (p.bpcer * 1e9) as u64)).collect();
    distinct.sort_unstable();
    distinct.dedup();
    let mut svg = "<svg xmlns='http://www.w3.org/2000/svg' width='400' height='380' font-size='11'><rect x='60' y='20' width='300' height='300' fill='none' stroke='#999'/>".to_owned();
    for tick in [0.001, 0.01, 0.05, 0.2, 0.5, 0.8, 0.95, 0.99, 0.999] {
        let label = format!("{}%", tick * 100.0);
        let _ = write!(
            svg,
            "<line x1='{x:.1}' x2='{x:.1}' y1='320' y2='325' stroke='#333'/><text x='{:.1}' y='337' font-size='9'>{label}</text><line x1='55' x2='60' y1='{y:.1}' y2='{y:.1}' stroke='#333'/><text x='20' y='{:.1}' font-size='9'>{label}</text>",
            px(tick) - 10.0,
            py(tick) + 3.0,
            x = px(tick),
            y = py(tick)
        );
    }
    let _ = write!(
        svg,
        "<polyline points='{}' fill='none' stroke='#26a' stroke-width='2'/>{}<text x='110' y='355'>APCER of the worst species (probit scale)</text><text x='12' y='250' transform='rotate(-90 12 250)'>BPCER (probit scale)</text><text x='70' y='375' font-size='10'>{} thresholds, {} distinct operating points</text></svg>",
        line.join(" "),
        points
            .iter()
            .map(|p| format!("<circle cx='{:.1}' cy='{:.1}' r='2' fill='#26a'/>", px(p.apcer_max), py(p.bpcer)))
            .collect::<String>(),
        points.len(),
        distinct.len()
    );
    svg
}

fn bpcer_at_cell(b: Option<&BpcerAt>) -> String {
    match b {
        None => "n/a (no scored presentations)".to_owned(),
        Some(BpcerAt::Estimated { threshold, bpcer, apcer_max }) => format!(
            "{:.1}% at threshold {threshold:.2} (APCER<sub>max</sub> there {:.1}%)",
            100.0 * bpcer,
            100.0 * apcer_max
        ),
        Some(BpcerAt::NotEstimable { needed, fewest, species }) => format!(
            "not estimable with {fewest} scored {} attacks (needs at least {needed} per species)",
            escape(&species.replace('_', " "))
        ),
    }
}

pub fn render(run: &RunFile) -> String {
    let m = &run.metrics;
    let threshold = run
        .threshold
        .map_or_else(|| escape(&run.threshold_source), |t| format!("{t} ({})", escape(&run.threshold_source)));
    let mut h = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>liveness run</title><style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}}\
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}</style>\
<h1>Liveness run</h1><p>{} · {} · target <code>{}</code> (fingerprint {}) · seed {} · fixture set {} · repeat {} · {} presentations · run file format {}</p><p>threshold: {threshold}</p>",
        escape(&run.created_at),
        escape(&run.suite),
        escape(&run.target),
        escape(&run.fingerprint),
        run.seed,
        escape(run.fixture_set.as_deref().unwrap_or("not recorded")),
        run.repeat,
        run.samples.len(),
        run.format_version,
    );
    let count = |pred: &dyn Fn(&crate::faces::Class) -> bool| run.samples.iter().filter(|s| pred(&s.class)).count();
    let _ = write!(
        h,
        "<p>{} bona fide presentations, {} attack presentations, {} others (quality and non-face variants).</p>",
        count(&|c| c.is_bona_fide()),
        count(&|c| matches!(c, crate::faces::Class::Attack(_))),
        count(&|c| !c.is_bona_fide() && !matches!(c, crate::faces::Class::Attack(_)))
    );
    let mut calibration: Vec<&str> = run
        .samples
        .iter()
        .filter(|s| s.set == Some(crate::faces::FixtureSet::Calibration))
        .map(|s| s.fixture.split(['/', '+']).next().unwrap_or_default())
        .collect();
    calibration.sort_unstable();
    calibration.dedup();
    let _ = write!(
        h,
        "<p>The figures below are over the <b>evaluation</b> half of the face set: people the engine's constants were not set from. Calibration photos (and everything derived from them), whose figures are in <code>run.json</code> under <code>calibration_metrics</code>: {}.</p>",
        if calibration.is_empty() { "none recorded".to_owned() } else { escape(&calibration.join(", ")) }
    );
    h.push_str(
        "<h2>ISO/IEC 30107-3 (Clopper–Pearson 95% intervals)</h2><p>Intervals count <b>artefacts</b> (distinct images): \
an attack artefact is accepted if any of its presentations was, a bona fide artefact rejected if most of its presentations \
were. Presentations of one image (each <code>os</code>, each repeat) are not independent; their counts are shown beside.</p>\
<table><tr><th>metric</th><th>by artefact</th><th>persons</th><th>presentations</th></tr>",
    );
    let persons = |key: &str| m.persons.get(key).map_or("–".to_owned(), ToString::to_string);
    let counted = |r: Option<&crate::liveness::stats::Rate>| r.map_or("–".to_owned(), |r| format!("{}/{}", r.x, r.n));
    let _ = write!(
        h,
        "<tr><th>APCER<sub>max</sub> (worst species{})</th><th>{}</th><td></td><td></td></tr>",
        m.apcer_max.as_ref().map_or(String::new(), |(s, _)| format!(": {}", escape(s))),
        rate_cell(m.apcer_max.as_ref().map(|(_, r)| r))
    );
    for (species, r) in &m.apcer_artefacts {
        let _ = write!(
            h,
            "<tr><td>APCER {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(species),
            rate_cell(Some(r)),
            persons(species),
            counted(m.apcer.get(species))
        );
    }
    let _ = write!(
        h,
        "<tr><td>BPCER</td><td>{}</td><td>{}</td><td>{}</td></tr><tr><td>BPCER20 (BPCER at APCER<sub>max</sub> ≤ 5%)</td><td colspan=3>{}</td></tr>\
<tr><td>BPCER100 (BPCER at APCER<sub>max</sub> ≤ 1%)</td><td colspan=3>{}</td></tr>\
<tr><td>BPNRR (bona fide presentation non-response rate)</td><td colspan=3>{} (presentations)</td></tr>\
<tr><td>APNRR (attack presentation non-response rate)</td><td colspan=3>{} (presentations)</td></tr></table>",
        rate_cell(m.bpcer_artefacts.as_ref()),
        persons("bona fide"),
        counted(m.bpcer.as_ref()),
        bpcer_at_cell(m.bpcer20.as_ref()),
        bpcer_at_cell(m.bpcer100.as_ref()),
        rate_cell(m.bona_fide_non_response.as_ref()),
        rate_cell(m.attack_non_response.as_ref())
    );
    if !m.claims.is_empty() {
        h.push_str("<h2>What this sample can claim</h2><ul>");
        for c in &m.claims {
            let _ = write!(h, "<li>{}</li>", escape(c));
        }
        h.push_str("</ul>");
    }
    let _ = write!(h, "<h2>Scores by class (both halves)</h2>{}<h2>DET curve</h2>{}", histograms(run), det_curve(run));
    h.push_str("<h2>Presentations</h2><table><tr><th>fixture</th><th>class</th><th>os</th><th>repeat</th><th>decision</th><th>score</th><th>detail</th><th>ms</th></tr>");
    for s in &run.samples {
        let score = match (s.score, s.censored) {
            (Some(v), _) => format!("{v:.2}"),
            (None, true) => {
                format!("&gt; {} (censored)", run.threshold.map_or("threshold".to_owned(), |t| t.to_string()))
            }
            (None, false) => "–".to_owned(),
        };
        let decision = match s.decision {
            Decision::Pass => "pass",
            Decision::ScoreReject => "score reject",
            Decision::QualityReject => "quality",
            Decision::Error => "error",
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{decision}</td><td>{score}</td><td>{}</td><td>{:.0}</td></tr>",
            escape(&s.fixture),
            escape(&s.class.label()),
            s.os,
            s.repeat,
            escape(s.detail.as_deref().unwrap_or_default()),
            s.latency_ms
        );
    }
    h.push_str("</table></html>\n");
    h
}

pub fn write(dir: &Path, run: &RunFile) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let json = serde_json::to_vec_pretty(run).map_err(std::io::Error::other)?;
    crate::target::redactor::write_artefact(&dir.join("run.json"), json)?;
    crate::target::redactor::write_artefact(&dir.join("index.html"), render(run))
}
