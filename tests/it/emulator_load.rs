//! The emulator under a bounded load on loopback, and killed in the middle of one.
//!
//! Load: concurrent validations, with and without `force`, on a handful of shared registrations: no
//! 5xx, the usage ledger equals the number of 200s, and each registration has at most one live person.
//! Kill: the binary with `--db FILE` is SIGKILLed while validations are in flight and restarted on
//! the same file; every validation that got a 200 before the kill is there, and nothing half-written
//! is visible (every registration with a person has its validation and its one credit).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::common::{CENTRAL, face_uri, get_json};
use serde_json::{Value, json};
use verifik_conformance::emulator::{EmulatorConfig, RunningEmulator, store};

fn http() -> reqwest::Client {
    verifik_conformance::target::tls::client_builder()
        .no_proxy()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

async fn state(c: &reqwest::Client, base: &str) -> Value {
    verifik_conformance::target::states::app_registration(c, base, json!({"credits": 100000}))
        .await
        .expect("provider state")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bounded_load_on_shared_registrations_keeps_the_ledger_exact() {
    const REGISTRATIONS: usize = 4;
    const REQUESTS: usize = 160;
    const CONCURRENCY: usize = 16;
    let emu = RunningEmulator::start(EmulatorConfig { provider_states: true, ..EmulatorConfig::default() })
        .await
        .expect("starts");
    let base = emu.base_url();
    let c = http();
    let mut regs = Vec::new();
    for _ in 0..REGISTRATIONS {
        regs.push(state(&c, &base).await);
    }
    let image = face_uri();
    let semaphore = std::sync::Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
    let mut tasks = Vec::new();
    for i in 0..REQUESTS {
        let reg = &regs[i % REGISTRATIONS];
        let (c, url, token, permit) = (
            c.clone(),
            format!("{base}{CENTRAL}"),
            reg["token"].as_str().expect("token").to_owned(),
            semaphore.clone(),
        );
        let os = ["DESKTOP", "IOS", "ANDROID"][i % 3];
        let body = json!({"image": image, "os": os, "force": i % 4 == 0});
        tasks.push(tokio::spawn(async move {
            let _permit = permit.acquire_owned().await.expect("semaphore");
            let r =
                c.post(url).bearer_auth(token).json(&body).send().await.expect("an answer, never a dropped connection");
            (i % REGISTRATIONS, r.status().as_u16())
        }));
    }
    let mut ok = [0u64; REGISTRATIONS];
    for t in tasks {
        let (reg, status) = t.await.expect("task");
        assert!(status < 500, "a {status} under load");
        assert!(status == 200 || status == 409, "unexpected {status}");
        if status == 200 {
            ok[reg] += 1;
        }
    }
    for (i, reg) in regs.iter().enumerate() {
        let credits: Value = get_json(
            &c,
            format!("{base}/v2/credits?where_category=usage"),
            reg["clientToken"].as_str().expect("client token"),
        )
        .await;
        assert_eq!(credits["pagination"]["total"], ok[i], "registration {i}: the ledger equals its 200s");
        assert!(ok[i] >= 1, "registration {i} got at least its first validation");
        let id = reg["appRegistrationId"].as_str().expect("id").to_owned();
        let live = emu.state.store.call(move |conn| store::active_persons(conn, &id)).await.expect("count");
        assert_eq!(live, 1, "registration {i} has exactly one live person");
    }
    emu.shutdown().await.expect("shutdown");
}

fn spawn(db: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_verifik-conformance"))
        .args(["emulate", "--listen", "127.0.0.1:0", "--provider-states", "--client-token", "kill-test", "--db"])
        .arg(db)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let mut line = String::new();
    stdout.read_line(&mut line).expect("the listening line");
    // Keep reading so the emulator's later lines never meet a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    let base = line.trim().rsplit(' ').next().expect("address").to_owned();
    (child, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigkill_during_load_loses_no_acknowledged_validation() {
    let dir = std::env::temp_dir().join(format!("verifik-kill-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let db = dir.join("state.sqlite");
    let _ = std::fs::remove_file(&db);
    let c = http();
    let (mut child, base) = spawn(&db);
    let image = face_uri();
    let mut regs = Vec::new();
    for _ in 0..40 {
        regs.push(state(&c, &base).await);
    }
    // First validations in flight while the process is killed.
    let mut tasks = Vec::new();
    for reg in &regs {
        let (c, url, token, body) = (
            c.clone(),
            format!("{base}{CENTRAL}"),
            reg["token"].as_str().expect("token").to_owned(),
            json!({"image": image, "os": "IOS"}),
        );
        tasks.push(tokio::spawn(async move {
            let r = c.post(url).bearer_auth(token).json(&body).send().await.ok()?;
            let status = r.status().as_u16();
            let body: Value = r.json().await.ok()?;
            (status == 200).then(|| body["data"]["person"].as_str().map(str::to_owned)).flatten()
        }));
        tokio::task::yield_now().await;
    }
    // Kill once some answers are in: wait for the first task, then SIGKILL.
    let mut acknowledged: Vec<Option<String>> = Vec::new();
    let mut pending = tasks.into_iter();
    if let Some(first) = pending.next() {
        acknowledged.push(first.await.expect("task"));
    }
    child.kill().expect("SIGKILL");
    let _ = child.wait();
    for t in pending {
        acknowledged.push(t.await.expect("task"));
    }
    let (mut child, base) = spawn(&db);
    let mut with_person = 0;
    for (reg, ack) in regs.iter().zip(&acknowledged) {
        let id = reg["appRegistrationId"].as_str().expect("id");
        let read: Value = get_json(
            &c,
            format!("{base}/v2/app-registrations/{id}?populates[]=biometricValidation"),
            reg["clientToken"].as_str().expect("client token"),
        )
        .await;
        let d = &read["data"];
        if let Some(person) = ack {
            assert_eq!(d["person"].as_str(), Some(person.as_str()), "an acknowledged 200 was lost");
        }
        if d["person"].is_string() {
            with_person += 1;
            assert!(d["biometricValidation"]["_id"].is_string(), "a person without its validation is half-written");
        }
        let credits: Value = get_json(
            &c,
            format!("{base}/v2/credits?where_category=usage"),
            reg["clientToken"].as_str().expect("client token"),
        )
        .await;
        assert_eq!(
            credits["pagination"]["total"],
            u64::from(d["person"].is_string()),
            "the charge and the person are written together"
        );
    }
    let acked = acknowledged.iter().filter(|a| a.is_some()).count();
    assert!(with_person >= acked && acked >= 1, "{acked} acknowledged, {with_person} persisted");
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// A supervisor that reads the first line and closes the pipe must not take the emulator down.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn emulator_survives_a_closed_stdout() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_verifik-conformance"))
        .args(["emulate", "--listen", "127.0.0.1:0", "--provider-states"])
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut line).expect("the listening line");
    let base = line.trim().rsplit(' ').next().expect("address").to_owned();
    let reg = state(&http(), &base).await;
    assert!(reg["token"].is_string(), "the emulator still answers after its stdout closed");
    assert!(child.try_wait().expect("status").is_none(), "the emulator is still running");
    let _ = child.kill();
    let _ = child.wait();
}
