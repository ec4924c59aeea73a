//! `--html DIR`: a self-contained page (no scripts, no external assets). Failures come first, grouped
//! by behaviour, check and message shape so a thousand cases of one cause read as one line; then the
//! behaviour × target matrix with each verdict and skip reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Event, Verdict};
use crate::html::escape;
use crate::suite::finding::Check;
use crate::suite::runner::RunResult;
use crate::suite::{Behaviour, Outcome};

/// The shape of a message: numbers and hex ids masked, so cases of one cause group together.
fn shape(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut in_number = false;
    for c in message.lines().next().unwrap_or_default().chars() {
        if c.is_ascii_hexdigit() && (c.is_ascii_digit() || in_number) {
            if !in_number {
                out.push('#');
            }
            in_number = true;
        } else {
            in_number = false;
            out.push(c);
        }
    }
    out
}

pub(crate) fn render(result: &RunResult, catalogue: &[Behaviour]) -> String {
    let mut groups: BTreeMap<(String, Check, String), (usize, &Event)> = BTreeMap::new();
    for e in result.events.iter().filter(|e| matches!(e.verdict, Verdict::Fail | Verdict::Warn | Verdict::Known)) {
        let key = (e.trial.clone(), e.check, shape(e.message.as_deref().unwrap_or_default()));
        groups.entry(key).or_insert((0, e)).0 += 1;
    }
    let c = &result.conclusion;
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html><html lang=en><meta charset=utf-8><title>verifik-conformance report</title>\
<style>body{{font:14px system-ui,sans-serif;margin:2em;max-width:1200px}}table{{border-collapse:collapse;width:100%}}\
td,th{{border:1px solid #ccc;padding:4px 6px;text-align:left;vertical-align:top}}.pass{{background:#e6f4ea}}\
.fail{{background:#fce8e6}}.warn{{background:#fef7e0}}.known{{background:#e8f0fe}}.skipped{{background:#eee}}code,pre{{white-space:pre-wrap;overflow-wrap:anywhere;font-size:12px}}</style>\
<h1>verifik-conformance</h1><p>Target: <code>{}</code><br>Seed: <code>{}</code> · requests sent: {}<br>\
{} passed, {} failed, {} skipped</p>",
        escape(&result.target),
        result.seed,
        result.requests,
        c.num_passed,
        c.num_failed,
        c.num_ignored
    );
    let _ = write!(h, "<h2>Failures, known deviations and warnings ({} groups)</h2>", groups.len());
    if groups.is_empty() {
        h.push_str("<p>None.</p>");
    } else {
        h.push_str("<table><tr><th>behaviour</th><th>check</th><th>verdict</th><th>cases</th><th>first message and exchange (redacted)</th></tr>");
        for ((trial, check, _), (count, e)) in &groups {
            let verdict = match e.verdict {
                Verdict::Fail => "fail",
                Verdict::Known => "known",
                _ => "warn",
            };
            let _ = write!(
                h,
                "<tr class={verdict}><td>{}</td><td>{}</td><td>{verdict}</td><td>{count}</td><td><pre>{}\n{}</pre>{}</td></tr>",
                escape(trial),
                escape(check.as_str()),
                escape(e.message.as_deref().unwrap_or_default()),
                escape(e.exchange.as_deref().unwrap_or_default()),
                e.reproduce.as_deref().map(|r| format!("<pre class=repro>{}</pre>", escape(r))).unwrap_or_default()
            );
        }
        h.push_str("</table>");
    }
    let _ = write!(
        h,
        "<h2>Behaviour × target</h2><table><tr><th>behaviour</th><th>strictness</th><th>statement</th><th>{}</th></tr>",
        escape(&result.target)
    );
    for b in catalogue {
        let name = b.trial_name();
        let Some(record) = result.records.iter().find(|r| r.name == name) else { continue };
        let warned = result.events.iter().any(|e| e.trial == name && e.verdict == Verdict::Warn);
        let (class, text) = match &record.outcome {
            Outcome::Passed { known, .. } if !known.is_empty() => ("known", "known deviation".to_owned()),
            Outcome::Passed { .. } if warned => ("warn", "warn".to_owned()),
            Outcome::Passed { .. } => ("pass", "pass".to_owned()),
            Outcome::Failed { violations: v, .. } => ("fail", format!("fail ({} violation(s))", v.len())),
            Outcome::Skipped(reason) => ("skipped", format!("skipped: {reason}")),
        };
        let _ = write!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td>{}<br><small>{}</small></td><td class={class}>{}</td></tr>",
            escape(&name),
            b.strictness,
            escape(b.statement),
            escape(b.source),
            escape(&text)
        );
    }
    h.push_str("</table></html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_mask_numbers_and_ids() {
        assert_eq!(shape("expected 409, got 500 for 674de8df21c72be3cc42b8a7"), "expected #, got # for #");
        assert_eq!(escape("<a href=\"x\">&"), "&lt;a href=&quot;x&quot;&gt;&amp;");
    }
}
