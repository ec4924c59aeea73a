//! `verifik-conformance self-check`: starts an emulator on `127.0.0.1:0` and walks the documented flow
//! through its public routes and provider states, checking each documented answer byte for byte.
//!
//! It is the emulator's own smoke test and the main command until the full conformance harness lands.

use std::process::ExitCode;

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::api::{DataUri, ImageMediaType};
use crate::emulator::{EmulatorConfig, RunningEmulator};

/// A real public-domain face (Grace Hopper, US Navy photograph) from `fixtures/faces/`.
const FACE: &[u8] = include_bytes!("../fixtures/faces/grace_hopper.jpg");

/// The keys of the endpoint page's 200 example.
const DOCUMENTED_KEYS: [&str; 14] = [
    "_id",
    "client",
    "project",
    "projectFlow",
    "status",
    "email",
    "countryCode",
    "phone",
    "biometricValidation",
    "person",
    "informationValidation",
    "assignedCollection",
    "createdAt",
    "updatedAt",
];

struct Session {
    http: reqwest::Client,
    base: String,
    client_token: String,
}

impl Session {
    async fn call(
        &self,
        method: reqwest::Method,
        path: &str,
        token: &str,
        body: Option<Value>,
    ) -> Result<(StatusCode, Value), String> {
        let mut req = self.http.request(method, format!("{}{path}", self.base)).bearer_auth(token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.map_err(|e| format!("request to {path} failed: {e}"))?;
        let status = resp.status();
        let body = resp.json::<Value>().await.map_err(|e| format!("{path} answered {status} without JSON: {e}"))?;
        Ok((status, body))
    }

    async fn register(&self, flow: &Value, email: &str) -> Result<String, String> {
        let body = json!({"project": flow["project"], "projectFlow": flow["_id"], "email": email, "phone": "5551234567", "countryCode": "+1"});
        let (status, v) =
            self.call(reqwest::Method::POST, "/v2/app-registrations", &self.client_token, Some(body)).await?;
        expect(status == StatusCode::OK, format!("create registration answered {status}"))?;
        v["data"]["token"].as_str().map(str::to_owned).ok_or_else(|| "no data.token".to_owned())
    }

    async fn validate(&self, token: &str, force: Option<bool>) -> Result<(StatusCode, Value), String> {
        let image = DataUri::new(ImageMediaType::Jpeg, FACE.to_vec()).encode();
        let mut body = json!({"image": image, "os": "DESKTOP"});
        if let Some(f) = force {
            body["force"] = json!(f);
        }
        self.call(reqwest::Method::POST, "/v2/biometric-validations/app-registration", token, Some(body)).await
    }

    async fn state(&self, params: Value) -> Result<String, String> {
        let body = json!({"state": "app registration", "params": params});
        let resp = self
            .http
            .post(format!("{}/__conformance/provider-states", self.base))
            .json(&body)
            .send()
            .await
            .map_err(|e| format!("provider state failed: {e}"))?;
        let v: Value = resp.json().await.map_err(|e| format!("provider state answered without JSON: {e}"))?;
        v["data"]["token"].as_str().map(str::to_owned).ok_or_else(|| format!("provider state gave no token: {v}"))
    }
}

fn expect(ok: bool, why: String) -> Result<(), String> {
    if ok { Ok(()) } else { Err(why) }
}

fn expect_error(got: (StatusCode, Value), status: u16, body: &str) -> Result<(), String> {
    let want: Value = serde_json::from_str(body).map_err(|e| e.to_string())?;
    expect(got.0.as_u16() == status && got.1 == want, format!("expected {status} {body}, got {} {}", got.0, got.1))
}

async fn steps(s: &Session, report: &mut Vec<(&'static str, Result<(), String>)>) -> Result<(), String> {
    let (_, flows) = s.call(reqwest::Method::GET, "/v2/project-flows", &s.client_token, None).await?;
    let (_, projects) = s.call(reqwest::Method::GET, "/v2/projects", &s.client_token, None).await?;
    let projects = projects["data"].as_array().cloned().unwrap_or_default();
    let flows = flows["data"].as_array().cloned().unwrap_or_default();
    let has_collection =
        |flow: &&Value| projects.iter().any(|p| p["_id"] == flow["project"] && !p["assignedCollection"].is_null());
    let with = flows.iter().find(has_collection).ok_or("no flow whose project has a collection")?;
    let without = flows.iter().find(|f| !has_collection(f)).ok_or("no flow whose project lacks a collection")?;

    let token = s.register(with, "self-check@example.com").await?;
    let first = s.validate(&token, None).await?;
    report.push(("200 with the documented body", {
        let keys: Vec<&str> =
            first.1["data"].as_object().map(|m| m.keys().map(String::as_str).collect()).unwrap_or_default();
        expect(first.0 == StatusCode::OK && keys == DOCUMENTED_KEYS, format!("got {} with keys {keys:?}", first.0))
    }));
    report.push(("409 person_already_set on a repeat", {
        expect_error(
            s.validate(&token, None).await?,
            409,
            r#"{"code":"person_already_set","message":"409:person_already_set"}"#,
        )
    }));
    let forced = s.validate(&token, Some(true)).await?;
    report.push(("force: true gives 200 with new ids", {
        let (a, b) = (&first.1["data"], &forced.1["data"]);
        expect(
            forced.0 == StatusCode::OK
                && a["person"] != b["person"]
                && a["biometricValidation"] != b["biometricValidation"],
            format!("got {} person {} -> {}", forced.0, a["person"], b["person"]),
        )
    }));
    let token = s.register(without, "no-collection@example.com").await?;
    report.push(("409 collection_not_set", {
        expect_error(
            s.validate(&token, None).await?,
            409,
            r#"{"code":"collection_not_set","message":"409:collection_not_set"}"#,
        )
    }));
    let token = s.state(json!({"livenessScript": [0.45]})).await?;
    report.push(("409 liveness_failed@0.45", {
        let got = s.validate(&token, None).await?;
        expect(
            got.0 == StatusCode::CONFLICT
                && got.1["code"] == "liveness_failed"
                && got.1["message"] == "409:liveness_failed@0.45",
            format!("got {} {}", got.0, got.1),
        )
    }));
    let token = s.state(json!({"status": "COMPLETED"})).await?;
    report.push(("404 appRegistration_not_found", {
        expect_error(
            s.validate(&token, None).await?,
            404,
            r#"{"code":"appRegistration_not_found","message":"404:appRegistration_not_found"}"#,
        )
    }));
    Ok(())
}

#[expect(clippy::print_stdout, reason = "the self-check's report is its output")]
pub async fn run() -> ExitCode {
    let config =
        EmulatorConfig { provider_states: true, client_token: Some("self-check".into()), ..EmulatorConfig::default() };
    let emulator = match RunningEmulator::start(config).await {
        Ok(e) => e,
        Err(e) => {
            println!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let http = match reqwest::Client::builder().no_proxy().timeout(std::time::Duration::from_secs(30)).build() {
        Ok(h) => h,
        Err(e) => {
            println!("error: failed to build the HTTP client: {e}");
            return ExitCode::from(2);
        }
    };
    let session = Session { http, base: emulator.base_url(), client_token: emulator.seeded.client_token.clone() };
    println!("self-check against the emulator at {}", session.base);
    let mut report = Vec::new();
    let setup = steps(&session, &mut report).await;
    let _ = emulator.shutdown().await;
    let mut failed = 0;
    for (name, outcome) in &report {
        match outcome {
            Ok(()) => println!("  ok      {name}"),
            Err(why) => {
                failed += 1;
                println!("  FAILED  {name}: {why}");
            }
        }
    }
    if let Err(why) = setup {
        failed += 1;
        println!("  FAILED  set-up: {why}");
    }
    println!("{} passed, {failed} failed", report.len() - report.iter().filter(|r| r.1.is_err()).count());
    if failed == 0 { ExitCode::SUCCESS } else { ExitCode::FAILURE }
}
