//! verifik-conformance: a property-based contract and conformance suite for Verifik's
//! `POST /v2/biometric-validations/app-registration`, and the emulator it runs against by default.
//!
//! # Table of contents
//!
//! * [`api`]: the contract as types (os, statuses, error bodies, data URIs, scores, time stamps); no I/O.
//! * [`deviation`]: the names of the emulator's deliberate deviations, shared by the emulator that
//!   performs them and the catalogue rows that declare which behaviours each breaks.
//! * [`target`]: the HTTP client for a base URL (budget, rate, redaction, journal, HAR) and registration set-up.
//! * [`faces`]: the fixture face set and its seeded derivations.
//! * [`schemas`]: the JSON Schemas of `schemas/`, embedded and compiled once.
//! * [`html`]: HTML escaping for the pages the reports write.
//! * [`emulator`]: the reference implementation (axum, SQLite, HS256 tokens, the liveness engine); its
//!   deviations live in one policy (`emulator::policy`).
//! * [`suite`]: the behaviour catalogue, probes, oracles, generated inputs, events, plans and the
//!   libtest-mimic runner; it is handed a target and never names the emulator.
//! * [`embedded`]: the emulator started as a run's target; the one module that knows both.
//! * [`report`]: JUnit, NDJSON, HTML and HAR writers fed by the run's events.
//! * [`liveness`]: liveness recording, ISO/IEC 30107-3 metrics, comparison and its report.
//! * [`history`]: trends over many runs.
//! * [`diff`]: two targets' answers to the same seeded cases, compared request by request.
//! * [`coverage`]: the vendor's page's claims and the behaviours that check them; a run's contract coverage.
//!
//! The command-line program is a crate of its own on top of this one, in `src/bin/verifik-conformance/`.
//!
//! Layers, top to bottom: `history`, `diff`, `coverage` → `report`, `liveness`, `embedded` → `suite`, `emulator` → `target`,
//! `faces`, `schemas`, `html`, `deviation` → `api`. A module imports only from layers below its own, and
//! no files inside one module import each other in a circle: `tests/it/architecture.rs` holds this table
//! and checks every import (`docs/architecture.md` draws it).
//!
//! Every module is public for the binary, the integration tests and the benchmarks; inside them an
//! item is `pub(crate)` unless one of those uses it.

pub mod api;
pub mod coverage;
pub mod deviation;
pub mod diff;
pub mod embedded;
pub mod emulator;
pub mod faces;
pub mod history;
pub mod html;
pub mod liveness;
pub mod report;
pub mod schemas;
pub mod suite;
pub mod target;

/// An error with its causes, `a: b: c`, for messages that must say why, not only what.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cause = c.source();
    }
    out
}
