//! The trend page: one self-contained HTML file with SVG charts (labelled axes and units): per
//! fixture class the mean score of each liveness run with its reference band, the error share of
//! each run, and the verdict grid of the conformance runs; out-of-band points and flipped verdicts are
//! marked in red.

use std::fmt::Write as _;

use super::History;
use crate::html::escape;

const WIDTH: f64 = 560.0;
const HEIGHT: f64 = 200.0;
const LEFT: f64 = 60.0;
const TOP: f64 = 15.0;

/// A line chart of `values` (one per run) on a `[lo, hi]` axis, with an optional band and marked runs.
fn chart(
    values: &[Option<f64>],
    (lo, hi): (f64, f64),
    band: Option<[f64; 2]>,
    marked: &[usize],
    y_label: &str,
) -> String {
    let n = values.len().max(1);
    let x = |i: usize| LEFT + if n == 1 { WIDTH / 2.0 } else { WIDTH * i as f64 / (n - 1) as f64 };
    let y = |v: f64| TOP + HEIGHT * (1.0 - ((v - lo) / (hi - lo)).clamp(0.0, 1.0));
    let mut svg = format!(
        "<svg xmlns='http://www.w3.org/2000/svg' width='{}' height='{}' font-size='11'>",
        LEFT + WIDTH + 20.0,
        TOP + HEIGHT + 45.0
    );
    if let Some([b_lo, b_hi]) = band {
        let _ = write!(
            svg,
            "<rect x='{LEFT}' y='{:.1}' width='{WIDTH}' height='{:.1}' fill='#cde8d4'/><text x='{}' y='{:.1}' fill='#3a7'>reference band</text>",
            y(b_hi),
            (y(b_lo) - y(b_hi)).max(1.0),
            LEFT + WIDTH - 80.0,
            y(b_hi) - 3.0
        );
    }
    let _ = write!(
        svg,
        "<line x1='{LEFT}' y1='{TOP}' x2='{LEFT}' y2='{b}' stroke='#333'/><line x1='{LEFT}' y1='{b}' x2='{r}' y2='{b}' stroke='#333'/>",
        b = TOP + HEIGHT,
        r = LEFT + WIDTH
    );
    for k in 0..=4 {
        let v = lo + (hi - lo) * f64::from(k) / 4.0;
        let _ = write!(svg, "<text x='{}' y='{:.1}' text-anchor='end'>{v:.2}</text>", LEFT - 4.0, y(v) + 4.0);
    }
    for i in 0..values.len() {
        let _ = write!(svg, "<text x='{:.1}' y='{}' text-anchor='middle'>{}</text>", x(i), TOP + HEIGHT + 14.0, i + 1);
    }
    let points: Vec<String> =
        values.iter().enumerate().filter_map(|(i, v)| v.map(|v| format!("{:.1},{:.1}", x(i), y(v)))).collect();
    let _ = write!(svg, "<polyline points='{}' fill='none' stroke='#26a' stroke-width='2'/>", points.join(" "));
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let (colour, r) = if marked.contains(&i) { ("#c22", 5.0) } else { ("#26a", 3.0) };
            let _ = write!(
                svg,
                "<circle cx='{:.1}' cy='{:.1}' r='{r}' fill='{colour}'><title>run {}: {v:.3}</title></circle>",
                x(i),
                y(*v),
                i + 1
            );
        }
    }
    let _ = write!(
        svg,
        "<text x='{}' y='{}' text-anchor='middle'>run (ordered by start time)</text><text x='12' y='{}' transform='rotate(-90 12 {})' text-anchor='middle'>{}</text></svg>",
        LEFT + WIDTH / 2.0,
        TOP + HEIGHT + 32.0,
        TOP + HEIGHT / 2.0,
        TOP + HEIGHT / 2.0,
        escape(y_label)
    );
    svg
}

pub(crate) fn render(h: &History) -> String {
    let mut page = String::from(
        "<!doctype html><html><head><meta charset='utf-8'><title>verifik-conformance history</title><style>body{font-family:sans-serif;margin:2em;max-width:70em}td,th{border:1px solid #ccc;padding:2px 6px;font-size:12px}table{border-collapse:collapse}.fail{background:#f4c7c3}.known{background:#fce8b2}.warn{background:#fff3c4}.pass{background:#d9ead3}.skipped,.absent{background:#eee}.flip{outline:2px solid #c22}.alarm{color:#a00;font-weight:bold}</style></head><body><h1>History</h1>",
    );
    let _ = write!(
        page,
        "<p>{} liveness run(s), {} conformance run(s); reference window: {} liveness runs from run {} (band: where a new mean of an unchanged target falls, the window's Student-t prediction interval at the page's per-test level, at least ± {}).</p>",
        h.liveness_runs.len(),
        h.conformance_runs.len(),
        h.reference_runs,
        h.reference_start + 1,
        super::MIN_HALF_WIDTH
    );
    if !h.guarantee.is_empty() {
        let _ = write!(page, "<p><b>What an alarm means:</b> {}.</p>", escape(&h.guarantee));
    }
    if h.alarms.is_empty() {
        page.push_str("<p>Latest runs: nothing left its band, no behaviour newly fails.</p>");
    } else {
        page.push_str("<ul>");
        for a in &h.alarms {
            let _ = write!(page, "<li class=alarm>{}</li>", escape(a));
        }
        page.push_str("</ul>");
    }
    if !h.liveness_runs.is_empty() {
        page.push_str("<h2>Liveness runs</h2><ol>");
        for r in &h.liveness_runs {
            let _ = write!(page, "<li>{} · {} · {}</li>", escape(&r.started_at), escape(&r.target), escape(&r.source));
        }
        page.push_str("</ol><h2>Mean score per fixture class</h2>");
        for (class, t) in &h.classes {
            let _ = write!(page, "<h3>{} ({} run(s) out of band)</h3>", escape(class), t.out_of_band.len());
            let test = |name: &str, t: Option<super::ClassTest>| {
                t.map_or(format!("{name}: not enough runs"), |t| {
                    let fired = if t.alarmed { " — alarm" } else { "" };
                    format!("{name}: {:+.3}, t = {:.2} ({} df), p = {:.2e}{fired}", t.effect, t.t, t.df, t.p_value)
                })
            };
            let _ = write!(page, "<p>{} · {}</p>", escape(&test("level", t.level)), escape(&test("trend", t.trend)));
            page.push_str(&chart(&t.means, (0.0, 1.0), t.band, &t.out_of_band, "mean liveness score (0 to 1)"));
        }
        page.push_str("<h2>Error share per run</h2>");
        let shares: Vec<Option<f64>> = h.error_share.iter().map(|s| Some(100.0 * s)).collect();
        page.push_str(&chart(&shares, (0.0, 100.0), None, &[], "presentations ending in an error (%)"));
    }
    if !h.conformance_runs.is_empty() {
        page.push_str("<h2>Conformance runs: verdict per behaviour</h2><table><tr><th>behaviour</th>");
        for (i, r) in h.conformance_runs.iter().enumerate() {
            let _ = write!(page, "<th title='{}'>{}</th>", escape(&r.started_at), i + 1);
        }
        page.push_str("</tr>");
        for (id, series) in &h.behaviours {
            let _ = write!(page, "<tr><td>{}</td>", escape(id));
            for (i, v) in series.iter().enumerate() {
                let flipped = h.flips.iter().any(|f| &f.behaviour == id && f.run == i);
                let class = if flipped { format!("{} flip", escape(v)) } else { escape(v) };
                let _ = write!(page, "<td class='{class}'>{}</td>", escape(v));
            }
            page.push_str("</tr>");
        }
        page.push_str("</table><p>A red outline marks the run where a verdict changed.</p>");
    }
    page.push_str("</body></html>");
    page
}
