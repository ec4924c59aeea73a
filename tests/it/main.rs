//! The integration tests, as one binary: each file here is a module, so the dependency stack is
//! linked once instead of once per file. `tests/conformance.rs` (the suite itself, `harness = false`)
//! and `tests/emulator_logs.rs` (it installs a global tracing subscriber) stay their own binaries.

#[path = "../common/mod.rs"]
mod common;

mod architecture;
mod cli;
mod coverage;
mod deep;
mod deviations;
mod diff;
mod docs;
mod emulator_decisions;
mod emulator_garbage;
mod emulator_load;
mod emulator_routes;
mod emulator_sockets;
mod liveness;
mod misbehaving;
mod openapi;
mod operator;
mod proxy;
mod target;
mod usage;
