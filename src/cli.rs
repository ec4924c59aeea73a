//! The command line, as clap types only; `main.rs` dispatches on them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "verifik-conformance",
    version,
    about = "Conformance suite and emulator for Verifik's app-registration biometric validation"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the emulator until interrupted.
    Emulate(EmulateArgs),
    /// Start an emulator on 127.0.0.1:<random> and walk the documented flow against it.
    SelfCheck,
}

#[derive(Debug, Args)]
pub struct EmulateArgs {
    /// Address to listen on; loopback unless you say otherwise.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,
    /// SQLite file that keeps state across restarts; in memory when absent.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Token of the seeded client; generated (and printed once) on first start when absent.
    #[arg(long)]
    pub client_token: Option<String>,
    /// Serve the provider-state control endpoint (POST /__conformance/provider-states).
    #[arg(long)]
    pub provider_states: bool,
}
