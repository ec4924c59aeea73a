//! A provider-state set-up over plain HTTP, for what drives a target without the suite: the tests of the
//! emulator and the benchmarks (they are crates of their own, so the one helper lives here).

use serde_json::{Value, json};

use super::PROVIDER_STATES;

/// The `data` of a new App Registration set up on `base` (the emulator with `--provider-states`, or any
/// target that serves provider states), with `params` as the request's `params`.
pub async fn app_registration(client: &reqwest::Client, base: &str, params: Value) -> Result<Value, reqwest::Error> {
    let body = json!({"state": "app registration", "params": params});
    let answer: Value =
        client.post(format!("{base}{PROVIDER_STATES}")).json(&body).send().await?.error_for_status()?.json().await?;
    Ok(answer["data"].clone())
}
