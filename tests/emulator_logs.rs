//! The emulator's logs name requests by method, path and status only: no token, no query, no image.
//! Its own test binary, because it installs a global tracing subscriber.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{CENTRAL, face_uri};
use serde_json::json;
use verifik_conformance::emulator::{EmulatorConfig, RunningEmulator};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_never_contain_tokens_or_images() {
    let captured = Captured::default();
    let sink = captured.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || sink.clone())
        .init();

    let emu = RunningEmulator::start(EmulatorConfig {
        provider_states: true,
        client_token: Some("client-secret-token".into()),
        ..EmulatorConfig::default()
    })
    .await
    .expect("starts");
    let base = emu.base_url();
    let c = verifik_conformance::target::tls::client_builder().no_proxy().build().expect("client");
    let s = verifik_conformance::target::states::app_registration(&c, &base, json!({})).await.expect("state");
    let token = s["token"].as_str().expect("token").to_owned();
    let image = face_uri();
    for force in [false, false, true] {
        c.post(format!("{base}{CENTRAL}?secret=query"))
            .bearer_auth(&token)
            .json(&json!({"image": image, "os": "IOS", "force": force}))
            .send()
            .await
            .expect("validate");
    }
    c.get(format!("{base}/v2/credits")).bearer_auth("client-secret-token").send().await.expect("credits");
    emu.shutdown().await.expect("shutdown");

    let logs = String::from_utf8(captured.0.lock().unwrap_or_else(|p| p.into_inner()).clone()).expect("utf-8 logs");
    assert!(logs.matches("path=/v2/biometric-validations/app-registration").count() >= 3, "requests are logged");
    for secret in [token.as_str(), &token[..20], "client-secret-token", "secret=query", &image[23..60]] {
        assert!(!logs.contains(secret), "the logs contain a secret fragment");
    }
}
