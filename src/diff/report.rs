//! What `diff` writes: the terminal summary, NDJSON (one record per divergence, per behaviour that was
//! not comparable, per step a side varied on, and a summary), JUnit (one test case per behaviour) and a
//! self-contained HTML page. Every text here passes the redactor on its way out (`write_artefact`).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde_json::json;

use super::{Comparison, Divergence, Kind, Side};
use crate::html::escape;

/// How the comparison was made, for every report.
#[derive(Debug, Clone)]
pub struct Heading {
    /// Each side as reports name it (no secrets).
    pub sides: [String; 2],
    pub seed: u64,
    pub cases: u32,
    /// Each side's command that runs one behaviour again, with `{trial}` where its name goes.
    pub reproduce: [String; 2],
}

impl Heading {
    fn reproduction(&self, side: Side, behaviour: &str) -> String {
        self.reproduce[side as usize].replace("{trial}", &trial(behaviour))
    }
}

/// A behaviour's trial name (`family::ID`), from the catalogue; the id itself for one it does not hold.
fn trial(behaviour: &str) -> String {
    static TRIALS: std::sync::LazyLock<HashMap<String, String>> = std::sync::LazyLock::new(|| {
        crate::suite::catalogue::all().iter().map(|b| (b.id.0.to_owned(), b.trial_name())).collect()
    });
    TRIALS.get(behaviour).cloned().unwrap_or_else(|| behaviour.to_owned())
}

/// Divergences by behaviour, in id order.
fn by_behaviour(c: &Comparison) -> BTreeMap<&str, Vec<&Divergence>> {
    let mut out: BTreeMap<&str, Vec<&Divergence>> = BTreeMap::new();
    for d in &c.divergences {
        out.entry(d.behaviour.as_str()).or_default().push(d);
    }
    out
}

fn kinds(ds: &[&Divergence]) -> String {
    let mut n: BTreeMap<Kind, usize> = BTreeMap::new();
    for d in ds {
        *n.entry(d.kind).or_default() += 1;
    }
    n.iter().map(|(k, n)| format!("{k} {n}")).collect::<Vec<_>>().join(", ")
}

fn place(d: &Divergence) -> String {
    match d.step {
        Some(i) => format!("{}, request {i}", d.slot),
        None => d.slot.clone(),
    }
}

/// The noise line: what was set aside and what the runs per side guarantee.
pub fn noise_line(c: &Comparison) -> String {
    let count = |s: Side| c.varied.iter().filter(|v| v.side == s).count();
    let unseen = match c.unseen_noise_estimate() {
        None => "; with one run a side no noise can be seen: give --runs 2 or more".to_owned(),
        Some(_) if c.varied.is_empty() => String::new(),
        Some(e) => format!(
            "; from the steps that varied, about {e:.1} divergence(s) may be noise no run showed (more --runs lowers it)"
        ),
    };
    let line = format!(
        "noise: {} step(s) varied between a side's own runs and were set aside (left {}, right {}); with {} + {} \
         run(s), a step that varies on its own between two equally likely forms still reads as a divergence with \
         chance {:.1}%",
        c.varied.len(),
        count(Side::Left),
        count(Side::Right),
        c.runs[0],
        c.runs[1],
        100.0 * c.residual_false_alarm()
    );
    line + &unseen
}

/// The verdict line.
pub fn verdict(c: &Comparison) -> String {
    let all: Vec<&Divergence> = c.divergences.iter().collect();
    if c.behaviours() == 0 {
        "result: nothing was compared (no behaviour ran on both sides)".to_owned()
    } else if all.is_empty() {
        format!("result: the sides agree: 0 divergences in {} behaviour(s)", c.behaviours())
    } else {
        format!(
            "result: {} divergence(s) in {} of {} behaviour(s) ({})",
            all.len(),
            by_behaviour(c).len(),
            c.behaviours(),
            kinds(&all)
        )
    }
}

/// Divergences shown per behaviour on the terminal; the HTML and NDJSON hold every one.
const SHOWN_PER_BEHAVIOUR: usize = 4;

/// The terminal summary.
pub fn text(c: &Comparison, h: &Heading) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "diff: left  = {} ({} run(s))", h.sides[0], c.runs[0]);
    let _ = writeln!(out, "      right = {} ({} run(s))", h.sides[1], c.runs[1]);
    let _ = writeln!(
        out,
        "seed {}, {} case(s) per property: {} behaviour(s) and {} request step(s) compared on both sides",
        h.seed,
        h.cases,
        c.behaviours(),
        c.steps
    );
    let _ = writeln!(out, "{}", noise_line(c));
    for (behaviour, ds) in by_behaviour(c) {
        let _ = writeln!(out, "\n{behaviour}: {} divergence(s): {}", ds.len(), kinds(&ds));
        for d in ds.iter().take(SHOWN_PER_BEHAVIOUR) {
            let _ = writeln!(out, "  [{}] {}: {}", d.kind, place(d), d.what);
            for (side, answers) in [("left: ", &d.left), ("right:", &d.right)] {
                for a in answers.iter().take(2) {
                    let _ = writeln!(out, "    {side} {a}");
                }
            }
        }
        if ds.len() > SHOWN_PER_BEHAVIOUR {
            let _ = writeln!(
                out,
                "  ... and {} more (the HTML page and NDJSON hold them all)",
                ds.len() - SHOWN_PER_BEHAVIOUR
            );
        }
        let _ = writeln!(out, "  reproduce left:  {}", h.reproduction(Side::Left, behaviour));
        let _ = writeln!(out, "  reproduce right: {}", h.reproduction(Side::Right, behaviour));
    }
    if !c.not_comparable.is_empty() {
        let _ = writeln!(out, "\nnot comparable (ran on one side only; not divergences):");
        for n in &c.not_comparable {
            let _ = writeln!(out, "  {}: {}", n.behaviour, n.why);
        }
    }
    let _ = writeln!(out, "\n{}", verdict(c));
    out
}

/// One JSON record per line.
pub fn ndjson(c: &Comparison, h: &Heading) -> String {
    let mut lines = Vec::new();
    for d in &c.divergences {
        let mut v = json!({"record": "divergence"});
        if let (Some(m), serde_json::Value::Object(d_)) = (v.as_object_mut(), json!(d)) {
            m.extend(d_);
            m.insert(
                "reproduce".into(),
                json!({"left": h.reproduction(Side::Left, &d.behaviour), "right": h.reproduction(Side::Right, &d.behaviour)}),
            );
        }
        lines.push(v);
    }
    for n in &c.not_comparable {
        lines.push(json!({"record": "not_comparable", "behaviour": n.behaviour, "why": n.why}));
    }
    for v in &c.varied {
        lines.push(json!({"record": "varied", "side": v.side, "behaviour": v.behaviour, "slot": v.slot, "step": v.step, "forms": v.forms}));
    }
    let mut by_kind = serde_json::Map::new();
    for d in &c.divergences {
        let n = by_kind.entry(d.kind.as_str()).or_insert(json!(0));
        *n = json!(n.as_u64().unwrap_or(0) + 1);
    }
    lines.push(json!({
        "record": "summary",
        "left": h.sides[0],
        "right": h.sides[1],
        "seed": h.seed,
        "cases": h.cases,
        "runs": c.runs,
        "behaviours": c.behaviours(),
        "steps": c.steps,
        "divergences": c.divergences.len(),
        "by_kind": by_kind,
        "not_comparable": c.not_comparable.len(),
        "varied": c.varied.len(),
        "residual_false_alarm": c.residual_false_alarm(),
        "agrees": c.agrees(),
    }));
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

/// One test case per behaviour: failed when it diverged, skipped when it was not comparable.
pub fn junit(c: &Comparison) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let name = trial;
    let mut suite = TestSuite::new("verifik-conformance diff");
    let diverged = by_behaviour(c);
    for (behaviour, ds) in &diverged {
        let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
        s.set_message(format!("{} divergence(s): {}", ds.len(), kinds(ds)));
        s.set_description(
            ds.iter().map(|d| format!("[{}] {}: {}", d.kind, place(d), d.what)).collect::<Vec<_>>().join("\n"),
        );
        suite.add_test_case(TestCase::new(name(behaviour), s));
    }
    for n in &c.not_comparable {
        let mut s = TestCaseStatus::skipped();
        s.set_message(format!("not comparable: {}", n.why));
        suite.add_test_case(TestCase::new(name(&n.behaviour), s));
    }
    for id in c.compared.iter().filter(|id| !diverged.contains_key(id.as_str())) {
        suite.add_test_case(TestCase::new(name(id), TestCaseStatus::success()));
    }
    let mut report = Report::new("verifik-conformance diff");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

/// A self-contained page: the summary, then each diverging behaviour with both sides' answers.
pub fn html(c: &Comparison, h: &Heading) -> String {
    let mut out = format!(
        "<!doctype html><meta charset=utf-8><title>verifik-conformance diff</title>\
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1300px}}table{{border-collapse:collapse;width:100%}}\
td,th{{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}}th{{background:#f3f3f3}}\
.agree{{background:#e6f4ea;padding:6px}}.diverge{{background:#fce8e6;padding:6px}}.kind{{font-weight:bold}}\
code,pre{{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px;margin:0}}</style>\
<h1>verifik-conformance diff</h1><table><tr><th></th><th>left</th><th>right</th></tr>\
<tr><td>target</td><td><code>{}</code></td><td><code>{}</code></td></tr>\
<tr><td>runs</td><td>{}</td><td>{}</td></tr></table>\
<p>Seed <code>{}</code>, {} case(s) per property: {} behaviour(s) and {} request step(s) compared on both sides.<br>{}</p>\
<p class={}>{}</p>",
        escape(&h.sides[0]),
        escape(&h.sides[1]),
        c.runs[0],
        c.runs[1],
        h.seed,
        h.cases,
        c.behaviours(),
        c.steps,
        escape(&noise_line(c)),
        if c.agrees() { "agree" } else { "diverge" },
        escape(&verdict(c)),
    );
    for (behaviour, ds) in by_behaviour(c) {
        let _ = write!(
            out,
            "<h2 id=\"{0}\">{0}</h2><p>{1} divergence(s): {2}</p><table><tr><th>kind</th><th>where</th>\
<th>what differs</th><th>left</th><th>right</th></tr>",
            escape(behaviour),
            ds.len(),
            escape(&kinds(&ds))
        );
        for d in ds {
            let cell = |a: &[String]| a.iter().map(|x| format!("<pre>{}</pre>", escape(x))).collect::<String>();
            let _ = write!(
                out,
                "<tr><td class=kind>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                d.kind,
                escape(&place(d)),
                escape(&d.what),
                cell(&d.left),
                cell(&d.right)
            );
        }
        let _ = write!(
            out,
            "</table><p>Reproduce, left: <code>{}</code><br>Reproduce, right: <code>{}</code></p>",
            escape(&h.reproduction(Side::Left, behaviour)),
            escape(&h.reproduction(Side::Right, behaviour))
        );
    }
    if !c.not_comparable.is_empty() {
        out.push_str("<h2>Not comparable</h2><p>Ran on one side only: not divergences.</p><table><tr><th>behaviour</th><th>why</th></tr>");
        for n in &c.not_comparable {
            let _ = write!(out, "<tr><td>{}</td><td>{}</td></tr>", escape(&n.behaviour), escape(&n.why));
        }
        out.push_str("</table>");
    }
    if !c.varied.is_empty() {
        out.push_str(
            "<h2>Noise set aside</h2><table><tr><th>side</th><th>behaviour</th><th>where</th><th>forms</th></tr>",
        );
        for v in &c.varied {
            let at = v.step.map_or(format!("{} (its length)", v.slot), |i| format!("{}, request {i}", v.slot));
            let _ = write!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                v.side,
                escape(&v.behaviour),
                escape(&at),
                v.forms
            );
        }
        out.push_str("</table>");
    }
    out
}
