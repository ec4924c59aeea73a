//! What `coverage` writes: the terminal list, an HTML page of the vendor's page with each claim marked,
//! NDJSON (one record per claim, and a summary) and JUnit (one test case per claim).

use std::fmt::Write as _;

use serde_json::json;

use super::{Claims, Covered, PageCheck, Presence, Status, counts, units};
use crate::html::escape;

/// The summary line.
pub fn summary(covered: &[Covered]) -> String {
    let n = counts(covered);
    let get = |s: Status| n.get(&s).copied().unwrap_or(0);
    format!(
        "{} claim(s): {} tested, {} inferred-only, {} untestable, {} untested",
        covered.len(),
        get(Status::Tested),
        get(Status::InferredOnly),
        get(Status::Untestable),
        get(Status::Untested)
    )
}

/// Each claim with its status and behaviours, then the summary.
pub fn text(covered: &[Covered]) -> String {
    let mut out = String::new();
    for c in covered {
        let by = if c.behaviours.is_empty() { "-".to_owned() } else { c.behaviours.join(", ") };
        let _ = writeln!(out, "{:<36} {:<13} {}", c.claim.id, c.status.as_str(), by);
        if let Some(why) = &c.claim.untestable {
            let _ = writeln!(out, "    untestable: {why}");
        }
        if let Some(open) = c.claim.open.as_deref().filter(|_| c.status != Status::Untestable) {
            let _ = writeln!(out, "    open: {open}");
        }
    }
    let _ = writeln!(out, "\n{}", summary(covered));
    out
}

/// A fresh page against the claims, for the terminal.
pub fn page_text(check: &PageCheck) -> String {
    let mut out = String::new();
    let mut n = [0usize; 3];
    for c in &check.claims {
        let (id, presence) = (&c.id, c.presence);
        n[presence as usize] += 1;
        if presence == Presence::Unchanged {
            continue;
        }
        let revisit = if c.revisit.is_empty() { "no behaviour".to_owned() } else { c.revisit.join(", ") };
        match &c.now {
            Some((line, now)) => {
                let _ = writeln!(out, "{presence}: {id} (line {line} now reads {now:?}); revisit {revisit}");
            }
            None => {
                let _ = writeln!(out, "{presence}: {id}; revisit {revisit}");
            }
        }
    }
    for (line, sentence) in &check.uncovered {
        let _ = writeln!(out, "not covered by any claim: line {line}: {sentence:?}");
    }
    let _ = writeln!(
        out,
        "\nthe page against {} claim(s): {} unchanged, {} changed, {} gone; {} sentence(s) no claim covers",
        check.claims.len(),
        n[0],
        n[1],
        n[2],
        check.uncovered.len()
    );
    out
}

/// Whether a fresh page asks for a contributor's attention.
pub fn page_changed(check: &PageCheck) -> bool {
    check.claims.iter().any(|c| c.presence != Presence::Unchanged) || !check.uncovered.is_empty()
}

pub fn ndjson(covered: &[Covered]) -> String {
    let mut lines: Vec<serde_json::Value> = covered
        .iter()
        .map(|c| {
            json!({"record": "claim", "id": c.claim.id, "kind": c.claim.kind, "status": c.status,
                "behaviours": c.behaviours, "quote": c.claim.quote, "says": c.claim.says,
                "untestable": c.claim.untestable, "open": c.claim.open})
        })
        .collect();
    let n = counts(covered);
    let by: serde_json::Map<String, serde_json::Value> =
        n.iter().map(|(s, k)| (s.as_str().to_owned(), json!(k))).collect();
    lines.push(json!({"record": "summary", "claims": covered.len(), "by_status": by}));
    lines.iter().map(|l| l.to_string() + "\n").collect()
}

pub fn junit(covered: &[Covered]) -> String {
    use quick_junit::{NonSuccessKind, Report, TestCase, TestCaseStatus, TestSuite};
    let mut suite = TestSuite::new("verifik-conformance coverage");
    for c in covered {
        let status = match c.status {
            Status::Tested | Status::InferredOnly => TestCaseStatus::success(),
            Status::Untestable => {
                let mut s = TestCaseStatus::skipped();
                s.set_message(format!("untestable: {}", c.claim.untestable.clone().unwrap_or_default()));
                s
            }
            Status::Untested => {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(format!("no behaviour checks {:?}", c.claim.quote));
                s
            }
        };
        suite.add_test_case(TestCase::new(c.claim.id.clone(), status));
    }
    let mut report = Report::new("verifik-conformance coverage");
    report.add_test_suite(suite);
    report.to_string().unwrap_or_default()
}

/// The page, sentence by sentence, each claim it holds marked with its status.
pub fn html(claims: &Claims, covered: &[Covered], page: &str) -> String {
    let mut out = format!(
        "<!doctype html><meta charset=utf-8><title>verifik-conformance coverage</title>\
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;width:100%}}\
td,th{{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}}.tested{{background:#e6f4ea}}\
.inferred-only{{background:#e8f0fe}}.untestable{{background:#eee}}.untested{{background:#fce8e6}}\
.none{{color:#888}}code{{font-size:12px}}.tag{{font-size:11px;margin-bottom:3px}}.why{{color:#555}}\
td:first-child{{width:3em}}td:nth-child(2){{width:45%}}</style>\
<h1>Documentation coverage</h1><p>{}</p><p>The vendor's page as committed (<code>claims/page.txt</code>), sentence \
by sentence; each claim it holds is marked: <span class=tested>tested</span> (a documented behaviour that a \
deviation breaks checks it), <span class=inferred-only>inferred-only</span> (only the emulator's decisions check \
it), <span class=untestable>untestable</span> (with the reason), <span class=untested>untested</span>. Grey \
sentences are not claims (why is in <code>claims/claims.json</code>).</p><table><tr><th>line</th><th>the page</th>\
<th>claims</th></tr>",
        escape(&summary(covered))
    );
    for (line, unit) in units(page) {
        let here: Vec<&Covered> = covered.iter().filter(|c| unit.contains(&c.claim.quote)).collect();
        let class = here.iter().map(|c| c.status).max().map_or("none", |s| s.as_str());
        let tags: String = here
            .iter()
            .map(|c| {
                let why = c.claim.untestable.as_deref().or(c.claim.open.as_deref()).unwrap_or_default();
                let why =
                    if why.is_empty() { String::new() } else { format!("<br><span class=why>{}</span>", escape(why)) };
                format!(
                    "<div class=\"tag {}\"><b>{}</b> {} · {}{why}</div>",
                    c.status.as_str(),
                    escape(&c.claim.id),
                    c.status.as_str(),
                    escape(&c.behaviours.join(", "))
                )
            })
            .collect();
        let _ = write!(out, "<tr class={class}><td>{line}</td><td>{}</td><td>{tags}</td></tr>", escape(&unit));
    }
    out.push_str("</table>");
    let _ = write!(
        out,
        "<p>{} claims, {} parts of the page said not to be claims.</p>",
        claims.claims.len(),
        claims.not_claims.len()
    );
    out
}
