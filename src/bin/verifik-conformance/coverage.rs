//! `verifik-conformance coverage`: the vendor's page's claims, each with its status and the behaviours
//! that check it, and (`--page`) a freshly saved copy of the page compared with them.

use std::process::ExitCode;

use verifik_conformance::coverage::{self, Claims, Status, report};
use verifik_conformance::suite::catalogue;

use crate::cli::CoverageArgs;

use super::fail;

pub(crate) fn coverage(a: &CoverageArgs) -> ExitCode {
    if let Some(problem) = super::unwritable(a.reports.files(), a.reports.html.iter()) {
        return fail(2, &problem);
    }
    let claims = match Claims::committed() {
        Ok(c) => c,
        Err(e) => return fail(2, &format!("claims/claims.json does not parse: {e}")),
    };
    let mut all = catalogue::all();
    if let Some(w) = a.without.iter().find(|w| !all.iter().any(|b| b.id.0 == w.as_str())) {
        return fail(2, &format!("--without {w:?} names no behaviour (see `run --list`)"));
    }
    all.retain(|b| !a.without.iter().any(|w| w == b.id.0));
    let unknown = coverage::unknown_ids(&claims, &all);
    if !unknown.is_empty() {
        return fail(2, &format!("catalogue rows name claims the claims file does not hold: {}", unknown.join("; ")));
    }
    if let Some(path) = &a.page {
        let page = match std::fs::read_to_string(path) {
            Ok(p) => p,
            Err(e) => return fail(2, &format!("cannot read {}: {e}", path.display())),
        };
        let check = coverage::check_page(&claims, &all, &page);
        out!("{}", report::page_text(&check));
        return if report::page_changed(&check) { ExitCode::FAILURE } else { ExitCode::SUCCESS };
    }
    let covered = coverage::coverage(&claims, &all);
    out!("{}", report::text(&covered));
    let written = a.reports.paths().write(
        || report::junit(&covered),
        || report::ndjson(&covered),
        || report::html(&claims, &covered, coverage::PAGE),
    );
    if let Err((path, e)) = written {
        return fail(2, &format!("cannot write {}: {e}", path.display()));
    }
    let untested: Vec<&str> =
        covered.iter().filter(|c| c.status == Status::Untested).map(|c| c.claim.id.as_str()).collect();
    if !untested.is_empty() {
        errln!(
            "error: {} testable claim(s) untested: {}: map a behaviour to each (`.claims(..)` on its catalogue row)",
            untested.len(),
            untested.join(", ")
        );
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
