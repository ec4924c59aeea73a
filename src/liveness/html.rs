//! The self-contained HTML report of a liveness run: the error-rate table with its intervals, score
//! histograms per class and a DET curve as inline SVG, and every sample. No scripts, no assets.

use std::fmt::Write as _;
use std::path::Path;

use statrs::distribution::{ContinuousCDF, Normal};

use super::record::{Decision, RunFile};
use super::stats::Rate;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}

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

/// Histograms of disclosed scores, one row of bars per class, with the threshold drawn.
fn histograms(run: &RunFile) -> String {
    let mut classes: Vec<String> = run.samples.iter().map(|s| s.class.label()).collect();
    classes.sort();
    classes.dedup();
    let (bins, w, row) = (20usize, 400.0, 70.0);
    let mut svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='560' height='{}' font-size='11'>",
        row * classes.len() as f64 + 30.0
    );
    for (i, class) in classes.iter().enumerate() {
        let scores: Vec<f64> =
            run.samples.iter().filter(|s| &s.class.label() == class).filter_map(|s| s.score).collect();
        let mut counts = vec![0usize; bins];
        for s in &scores {
            counts[((s * bins as f64) as usize).min(bins - 1)] += 1;
        }
        let max = counts.iter().copied().max().unwrap_or(1).max(1) as f64;
        let top = row * i as f64 + 10.0;
        let _ = write!(svg, "<text x='0' y='{}'>{} ({} scored)</text>", top + 35.0, escape(class), scores.len());
        for (b, c) in counts.iter().enumerate() {
            let h = 50.0 * *c as f64 / max;
            let _ = write!(
                svg,
                "<rect x='{:.1}' y='{:.1}' width='{:.1}' height='{h:.1}' fill='#4a7'/>",
                150.0 + b as f64 * w / bins as f64,
                top + 55.0 - h,
                w / bins as f64 - 1.0
            );
        }
        let _ =
            write!(svg, "<line x1='150' x2='{}' y1='{}' y2='{}' stroke='#999'/>", 150.0 + w, top + 55.0, top + 55.0);
    }
    let tx = 150.0 + w * run.threshold;
    let _ = write!(
        svg,
        "<line x1='{tx}' x2='{tx}' y1='0' y2='{}' stroke='#c33' stroke-dasharray='4'/><text x='{tx}' y='{}' fill='#c33'>threshold {}</text>",
        row * classes.len() as f64 + 10.0,
        row * classes.len() as f64 + 24.0,
        run.threshold
    );
    svg.push_str("</svg>");
    svg
}

/// The DET curve (APCER against BPCER on probit axes) over every threshold the scores allow.
fn det_curve(run: &RunFile) -> String {
    let bona: Vec<f64> = run.samples.iter().filter(|s| s.class.is_bona_fide()).filter_map(|s| s.score).collect();
    let attacks: Vec<f64> = run
        .samples
        .iter()
        .filter(|s| matches!(s.class, crate::faces::Class::Attack(_)))
        .filter_map(|s| s.score)
        .collect();
    if bona.is_empty() || attacks.is_empty() {
        return "<p>No DET curve: scores of both bona fide and attack presentations are needed (a target that hides pass scores leaves them censored).</p>".to_owned();
    }
    let normal = Normal::standard();
    let (lo, hi) = (0.001f64, 0.999f64);
    let probit = |p: f64| normal.inverse_cdf(p.clamp(lo, hi));
    let (pmin, pmax) = (probit(lo), probit(hi));
    let px = |p: f64| 40.0 + 300.0 * (probit(p) - pmin) / (pmax - pmin);
    let py = |p: f64| 320.0 - 300.0 * (probit(p) - pmin) / (pmax - pmin);
    let mut thresholds: Vec<f64> = bona.iter().chain(&attacks).copied().collect();
    thresholds.push(0.0);
    thresholds.push(1.0);
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    let points: Vec<String> = thresholds
        .iter()
        .map(|t| {
            let apcer = attacks.iter().filter(|s| **s > *t).count() as f64 / attacks.len() as f64;
            let bpcer = bona.iter().filter(|s| **s <= *t).count() as f64 / bona.len() as f64;
            format!("{:.1},{:.1}", px(apcer), py(bpcer))
        })
        .collect();
    format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='360' height='350' font-size='11'><rect x='40' y='20' width='300' height='300' fill='none' stroke='#999'/>\
<polyline points='{}' fill='none' stroke='#26a' stroke-width='2'/><text x='120' y='345'>APCER (probit, 0.1% to 99.9%)</text>\
<text x='10' y='200' transform='rotate(-90 10 200)'>BPCER (probit)</text></svg>",
        points.join(" ")
    )
}

pub fn render(run: &RunFile) -> String {
    let m = &run.metrics;
    let mut h = format!(
        "<!doctype html><html lang=en><meta charset=utf-8><title>liveness run</title><style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1100px}}\
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:3px 6px;text-align:left}}</style>\
<h1>Liveness run</h1><p>{} · target <code>{}</code> (fingerprint {}) · threshold {} · repeat {} · {} presentations</p>",
        escape(&run.created_at),
        escape(&run.target),
        escape(&run.fingerprint),
        run.threshold,
        run.repeat,
        run.samples.len()
    );
    h.push_str("<h2>Error rates (Clopper–Pearson 95% intervals)</h2><table><tr><th>metric</th><th>value</th></tr>");
    for (species, r) in &m.apcer {
        let _ = write!(h, "<tr><td>APCER {}</td><td>{}</td></tr>", escape(species), rate_cell(Some(r)));
    }
    let _ = write!(
        h,
        "<tr><td>BPCER</td><td>{}</td></tr><tr><td>bona fide non-response</td><td>{}</td></tr><tr><td>attack non-response</td><td>{}</td></tr></table>",
        rate_cell(m.bpcer.as_ref()),
        rate_cell(m.bona_fide_non_response.as_ref()),
        rate_cell(m.attack_non_response.as_ref())
    );
    let _ = write!(h, "<h2>Scores by class</h2>{}<h2>DET curve</h2>{}", histograms(run), det_curve(run));
    h.push_str("<h2>Presentations</h2><table><tr><th>fixture</th><th>class</th><th>os</th><th>repeat</th><th>decision</th><th>score</th><th>detail</th><th>ms</th></tr>");
    for s in &run.samples {
        let score = match (s.score, s.censored) {
            (Some(v), _) => format!("{v:.2}"),
            (None, true) => format!("&gt; {} (censored)", run.threshold),
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
    std::fs::write(dir.join("run.json"), serde_json::to_vec_pretty(run).map_err(std::io::Error::other)?)?;
    std::fs::write(dir.join("index.html"), render(run))
}
