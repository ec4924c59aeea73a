//! The emulator over real sockets: the vendor's sample request, racing first validations, and a
//! restart on the same `--db` file. Servers bind `127.0.0.1:0` before they are used.

use std::time::Duration;

use crate::common::{CENTRAL, face_uri, get_json};
use serde_json::{Value, json};
use verifik_conformance::emulator::{EmulatorConfig, RunningEmulator, store};

fn http() -> reqwest::Client {
    verifik_conformance::target::tls::client_builder()
        .no_proxy()
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client")
}

async fn start(config: EmulatorConfig) -> RunningEmulator {
    RunningEmulator::start(config).await.expect("emulator starts")
}

async fn provider_state(base: &str, params: Value) -> Value {
    verifik_conformance::target::states::app_registration(&http(), base, params).await.expect("provider state")
}

/// The vendor's Python sample, with only the host and token changed: the same headers, the same body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vendor_sample_request_gets_the_documented_200() {
    let emu = start(EmulatorConfig { client_token: Some("demo".into()), ..EmulatorConfig::default() }).await;
    let base = emu.base_url();
    let c = http();
    let flows: Value = get_json(&c, format!("{base}/v2/project-flows"), "demo").await;
    let flow = &flows["data"][0];
    let created: Value = c
        .post(format!("{base}/v2/app-registrations"))
        .bearer_auth("demo")
        .json(&json!({"project": flow["project"], "projectFlow": flow["_id"], "email": "user@example.com", "phone": "5551234567", "countryCode": "+1"}))
        .send()
        .await
        .expect("create")
        .json()
        .await
        .expect("json");
    let token = created["data"]["token"].as_str().expect("token");
    let resp = c
        .post(format!("{base}{CENTRAL}"))
        .header("Content-Type", "application/json")
        .header("Authorization", format!("Bearer {token}"))
        .body(json!({"image": face_uri(), "os": "DESKTOP"}).to_string())
        .send()
        .await
        .expect("sample request");
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.expect("json");
    let d = &body["data"];
    assert_eq!(
        (d["email"].as_str(), d["countryCode"].as_str(), d["phone"].as_str()),
        (Some("user@example.com"), Some("+1"), Some("5551234567"))
    );
    for key in verifik_conformance::api::ID_FIELDS {
        assert!(d[key].as_str().is_some_and(verifik_conformance::api::ObjectId::is_object_id), "{key} is an ObjectId");
    }
    emu.shutdown().await.expect("clean shutdown");
}

/// N simultaneous first validations of one registration: exactly one 200, N-1 `person_already_set`,
/// exactly one credit charged, one live person.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_first_validations_create_one_person_and_charge_once() {
    const N: usize = 12;
    let emu = start(EmulatorConfig { provider_states: true, ..EmulatorConfig::default() }).await;
    let base = emu.base_url();
    let s = provider_state(&base, json!({})).await;
    let token = s["token"].as_str().expect("token").to_owned();
    let body = json!({"image": face_uri(), "os": "ANDROID"}).to_string();
    let c = http();
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(N));
    let mut tasks = Vec::new();
    for _ in 0..N {
        let (c, url, token, body, barrier) =
            (c.clone(), format!("{base}{CENTRAL}"), token.clone(), body.clone(), barrier.clone());
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            let r = c
                .post(url)
                .bearer_auth(token)
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .expect("send");
            let status = r.status().as_u16();
            (status, r.json::<Value>().await.expect("json"))
        }));
    }
    let mut ok = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.expect("task") {
            (200, _) => ok += 1,
            (409, b) if b == json!({"code": "person_already_set", "message": "409:person_already_set"}) => {
                conflicts += 1
            }
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!((ok, conflicts), (1, N - 1));
    let client_token = s["clientToken"].as_str().expect("client token");
    let credits: Value = get_json(&c, format!("{base}/v2/credits?where_category=usage"), client_token).await;
    assert_eq!(credits["pagination"]["total"], 1);
    let reg = s["appRegistrationId"].as_str().expect("id").to_owned();
    let live = emu.state.store.call(move |conn| store::active_persons(conn, &reg)).await.expect("count");
    assert_eq!(live, 1);
    emu.shutdown().await.expect("clean shutdown");
}

/// Registrations, persons, validations and the credit ledger survive a restart on the same file,
/// and so does the signing secret (old tokens keep working).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_with_the_same_db_keeps_everything() {
    let dir = std::env::temp_dir().join(format!("verifik-conformance-restart-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("state.sqlite");
    let _ = std::fs::remove_file(&db);
    let config = EmulatorConfig {
        db: Some(db.clone()),
        client_token: Some("keep".into()),
        provider_states: true,
        ..EmulatorConfig::default()
    };
    let c = http();

    let emu = start(config.clone()).await;
    let base = emu.base_url();
    let s = provider_state(&base, json!({"credits": 5})).await;
    let token = s["token"].as_str().expect("token").to_owned();
    let client_token = s["clientToken"].as_str().expect("client").to_owned();
    let id = s["appRegistrationId"].as_str().expect("id").to_owned();
    let first: Value = c
        .post(format!("{base}{CENTRAL}"))
        .bearer_auth(&token)
        .json(&json!({"image": face_uri(), "os": "IOS"}))
        .send()
        .await
        .expect("validate")
        .json()
        .await
        .expect("json");
    let before = snapshot(&c, &base, &client_token, &id).await;
    emu.shutdown().await.expect("clean shutdown");

    let emu = start(config).await;
    let base = emu.base_url();
    let after = snapshot(&c, &base, &client_token, &id).await;
    assert_eq!(before, after);
    assert_eq!(after.0["person"]["_id"], first["data"]["person"]);
    assert_eq!(after.0["biometricValidation"]["_id"], first["data"]["biometricValidation"]);
    assert_eq!(after.1["pagination"]["total"], 2, "the purchase and one usage record");
    let again = c
        .post(format!("{base}{CENTRAL}"))
        .bearer_auth(&token)
        .json(&json!({"image": face_uri(), "os": "IOS"}))
        .send()
        .await
        .expect("validate");
    assert_eq!(again.status(), 409, "the old token still verifies and the person is still set");
    emu.shutdown().await.expect("clean shutdown");
    let _ = std::fs::remove_dir_all(&dir);
}

async fn snapshot(c: &reqwest::Client, base: &str, client_token: &str, id: &str) -> (Value, Value) {
    let path = "populates[]=person&populates[]=biometricValidation&populates[]=project";
    let reg = get_json(c, format!("{base}/v2/app-registrations/{id}?{path}"), client_token).await;
    let credits: Value = get_json(c, format!("{base}/v2/credits"), client_token).await;
    (reg["data"].clone(), credits)
}
