//! Deep runs and the credits they spend. A property whose cases charge sets up the balance they will
//! spend where the target can choose one (provider states), so `--cases` far beyond the default
//! balance passes; an account that cannot be topped up (the public API, as against a vendor) runs out
//! as a budget: the property stops, skipped with the reason, and no input is blamed or shrunk.

use verifik_conformance::emulator::{EmulatorConfig, RunningEmulator};

use crate::cli::{bin, text};

const VALID: &str = "INPUT-DATA-URI-VALID";

fn emulator(rt: &tokio::runtime::Runtime, provider_states: bool, seed_credits: i64) -> RunningEmulator {
    let config = EmulatorConfig { provider_states, seed_credits, ..EmulatorConfig::default() };
    rt.block_on(RunningEmulator::start(config)).expect("emulator starts")
}

/// Five credits a client by default, 40 cases of which about half charge: the behaviour asks its
/// set-up for what its cases spend and passes.
#[test]
fn a_charging_property_sets_up_the_credits_its_cases_spend() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let emu = emulator(&rt, true, 5);
    let o = bin()
        .args(["run", "--base-url", &emu.base_url(), "--emulator-profile", "--seed", "10", "--cases", "40", VALID])
        .output()
        .expect("the binary runs");
    let out = text(&o);
    assert_eq!(o.status.code(), Some(0), "{out}");
    // Matched as the suite words a 402, not as the bare number: the target's port is printed too and
    // once was 40271.
    assert!(out.contains("1 passed") && !out.contains("got 402") && !out.contains("credits ran out"), "{out}");
}

/// The same cases against an account of six credits that only the public API reaches: the property
/// stops when the credits run out, skipped as a budget; nothing is shrunk and no image is blamed.
/// (Before, the same run failed the behaviour with "expected 200, got 402" and a shrunk face image.)
#[test]
fn an_account_that_runs_out_stops_the_property_as_a_budget() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let emu = emulator(&rt, false, 6);
    let o = bin()
        .args(["run", "--base-url", &emu.base_url(), "--client-token", &emu.seeded.client_token])
        .args(["--seed", "10", "--cases", "40", VALID])
        .output()
        .expect("the binary runs");
    let out = text(&o);
    // The one selected behaviour did not run to its end, which a run reports as nothing run (exit 1);
    // the reason is the budget, not an input.
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("1 ignored") && out.contains("the account's credits ran out (402 after"), "{out}");
    assert!(!out.contains("shrunk input") && !out.contains("grace_hopper"), "{out}");
}
