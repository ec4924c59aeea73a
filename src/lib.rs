//! verifik-conformance: a property-based contract and conformance suite for Verifik's
//! `POST /v2/biometric-validations/app-registration`, and the emulator it runs against by default.
//!
//! # Layout
//!
//! * [`api`]: the contract as types (os, statuses, error bodies, data URIs, scores); no I/O.
//! * [`emulator`]: the embedded reference implementation (axum, SQLite, HS256 tokens).
//! * [`schemas`]: the JSON Schemas of `schemas/`, embedded and compiled once.
//! * [`target`]: the HTTP client for a base URL (budget, rate, redaction) and registration set-up.
//! * [`suite`]: the behaviour catalogue, probes, oracles, generated inputs and the libtest-mimic runner.
//! * [`report`]: JUnit, NDJSON and HTML reporters fed by the run's events.
//! * [`cli`]: the command line, parsed with clap; `main.rs` only dispatches.

pub mod api;
pub mod cli;
pub mod emulator;
pub mod faces;
pub mod history;
pub mod liveness;
pub mod report;
pub mod schemas;
pub mod suite;
pub mod target;
