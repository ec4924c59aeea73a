//! verifik-conformance: a property-based contract and conformance suite for Verifik's
//! `POST /v2/biometric-validations/app-registration`, and the emulator it runs against by default.
//!
//! # Layout
//!
//! * [`api`]: the contract as types (os, statuses, error bodies, data URIs, scores); no I/O.
//! * [`emulator`]: the embedded reference implementation (axum, SQLite, HS256 tokens).
//! * [`schemas`]: the JSON Schemas of `schemas/`, embedded and compiled once.
//! * [`selfcheck`]: the emulator walked through the documented flow, end to end.
//! * [`cli`]: the command line, parsed with clap; `main.rs` only dispatches.

pub mod api;
pub mod cli;
pub mod emulator;
pub mod schemas;
pub mod selfcheck;
