//! Helpers shared by the emulator's integration tests: a router with provider states, one-call
//! requests, and the fixture face as a data URI.

#![allow(dead_code, reason = "each test file uses a different subset of the helpers")]

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;
use verifik_conformance::api::{DataUri, ImageMediaType};
use verifik_conformance::emulator::{Emulator, EmulatorConfig};

pub const CENTRAL: &str = verifik_conformance::api::CENTRAL_PATH;
pub const FACE_JPEG: &[u8] = include_bytes!("../../fixtures/faces/grace_hopper.jpg");

pub fn face_uri() -> String {
    DataUri::new(ImageMediaType::Jpeg, FACE_JPEG.to_vec()).encode()
}

pub fn emulator() -> Emulator {
    Emulator::new(EmulatorConfig {
        provider_states: true,
        client_token: Some("test-client".into()),
        ..EmulatorConfig::default()
    })
    .expect("in-memory emulator starts")
}

/// A response as the tests look at it.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: Option<String>,
    pub body: Value,
    pub raw: Vec<u8>,
}

pub async fn send(router: &Router, req: Request<Body>) -> Answer {
    let resp = router.clone().oneshot(req).await.expect("router is infallible");
    let status = resp.status();
    let content_type = resp.headers().get("content-type").and_then(|v| v.to_str().ok()).map(str::to_owned);
    let raw = resp.into_body().collect().await.expect("body collects").to_bytes().to_vec();
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Answer { status, content_type, body, raw }
}

pub fn request(method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    match body {
        Some(v) => b
            .header("content-type", "application/json")
            .body(Body::from(serde_json::to_vec(v).expect("json")))
            .expect("request builds"),
        None => b.body(Body::empty()).expect("request builds"),
    }
}

pub async fn call(router: &Router, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
    send(router, request(method, path, token, body.as_ref())).await
}

/// What a provider-state set-up returns.
#[derive(Debug, Clone)]
pub struct Setup {
    pub token: String,
    pub client_token: String,
    pub registration: String,
    pub data: Value,
}

pub async fn setup(router: &Router, params: Value) -> Setup {
    let a = call(
        router,
        "POST",
        "/__conformance/provider-states",
        None,
        Some(json!({"state": "app registration", "params": params})),
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "provider state refused: {}", a.body);
    let d = a.body["data"].clone();
    Setup {
        token: d["token"].as_str().expect("token").to_owned(),
        client_token: d["clientToken"].as_str().expect("clientToken").to_owned(),
        registration: d["appRegistrationId"].as_str().expect("id").to_owned(),
        data: d,
    }
}

pub async fn validate(router: &Router, token: &str, body: Value) -> Answer {
    call(router, "POST", CENTRAL, Some(token), Some(body)).await
}

pub async fn validate_face(router: &Router, token: &str) -> Answer {
    validate(router, token, json!({"image": face_uri(), "os": "DESKTOP"})).await
}

/// Usage credits charged to a client so far.
pub async fn usage_count(router: &Router, client_token: &str) -> u64 {
    let a = call(router, "GET", "/v2/credits?where_category=usage&perPage=100", Some(client_token), None).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["pagination"]["total"].as_u64().expect("total")
}

pub async fn registration(router: &Router, client_token: &str, id: &str) -> Value {
    let a = call(
        router,
        "GET",
        &format!("/v2/app-registrations/{id}?populates[]=person&populates[]=biometricValidation"),
        Some(client_token),
        None,
    )
    .await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    a.body["data"].clone()
}

/// A GET over a real socket with a bearer token, answered with JSON.
pub async fn get_json(c: &reqwest::Client, url: String, token: &str) -> Value {
    c.get(url).bearer_auth(token).send().await.expect("an answer").json().await.expect("a JSON body")
}
