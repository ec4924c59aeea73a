//! Property: whatever method, path, headers and body are thrown at the router, the emulator answers
//! with a status below 500 and a JSON body. Generation is seeded (ChaCha, fixed seed) so a failure
//! replays; failure persistence is off so nothing is written next to the sources.

use crate::common::*;
use axum::body::Body;
use axum::http::Request;
use base64::Engine as _;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, RngSeed, TestRunner};
use serde_json::{Value, json};

const SEED: u64 = 0x5eed_2026_1126;

fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
        prop::sample::select(vec!["DESKTOP", "IOS", "ANDROID", "ios", "", "true"]).prop_map(|s| json!(s)),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map("[a-z]{1,5}", inner, 0..3).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Data URI look-alikes: valid heads with broken payloads, broken heads with valid payloads,
/// truncated real images, and free text.
fn data_uri_ish() -> impl Strategy<Value = String> {
    let face = face_uri();
    let b64 = base64::engine::general_purpose::STANDARD.encode(FACE_JPEG);
    prop_oneof![
        Just(face.clone()),
        (1usize..face.len()).prop_map(move |n| face[..n].to_owned()),
        (
            prop::sample::select(vec![
                "data:image/jpeg;base64,",
                "data:image/png;base64,",
                "DATA:image/jpeg;base64,",
                "data:image/gif;base64,",
                "data:image/jpeg,",
                "data:;base64,",
                "data:image/jpeg;base64;x,",
                ""
            ]),
            "[A-Za-z0-9+/=_\\- \n]{0,64}"
        )
            .prop_map(|(head, tail)| format!("{head}{tail}")),
        (0usize..4000).prop_map(move |n| format!(
            "data:image/jpeg;base64,{}",
            base64::engine::general_purpose::STANDARD.encode(&FACE_JPEG[..n.min(FACE_JPEG.len())])
        )),
        Just(format!("data:image/png;base64,{b64}")),
        ".{0,40}",
    ]
}

#[derive(Debug, Clone)]
enum Auth {
    None,
    Raw(String),
    Bearer(String),
    Valid,
    Client,
}

fn auth() -> impl Strategy<Value = Auth> {
    prop_oneof![
        Just(Auth::None),
        "[ -~]{0,30}".prop_map(Auth::Raw),
        "[A-Za-z0-9._-]{0,60}".prop_map(Auth::Bearer),
        Just(Auth::Valid),
        Just(Auth::Client),
    ]
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..64),
        any_json().prop_map(|v| v.to_string().into_bytes()),
        (data_uri_ish(), any_json(), any_json(), any::<bool>()).prop_map(|(image, os, force, with_force)| {
            let mut m = serde_json::Map::new();
            m.insert("image".into(), json!(image));
            m.insert("os".into(), os);
            if with_force {
                m.insert("force".into(), force);
            }
            Value::Object(m).to_string().into_bytes()
        }),
        (data_uri_ish(), prop::sample::select(vec!["DESKTOP", "IOS", "ANDROID"]))
            .prop_map(|(image, os)| json!({"image": image, "os": os}).to_string().into_bytes()),
    ]
}

fn path() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(CENTRAL.to_owned()),
        1 => prop::sample::select(vec!["/v2/projects", "/v2/project-flows", "/v2/app-registrations", "/v2/credits", "/v2/credits?page=0&perPage=x", "/v2/app-registrations/me?populates[]=person", "/__conformance/provider-states"]).prop_map(str::to_owned),
        1 => "[a-z0-9/%._-]{0,20}".prop_map(|p| format!("/v2/{p}")),
        1 => "[a-f0-9]{0,30}".prop_map(|id| format!("/v2/app-registrations/{id}/sync")),
        1 => "[a-f0-9]{0,30}".prop_map(|id| format!("/v2/biometric-validations/{id}")),
    ]
}

#[test]
fn no_input_gets_a_5xx_or_a_non_json_answer() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    let router = emulator().router();
    let s = rt.block_on(setup(&router, json!({"credits": 100000})));
    let methods = prop::sample::select(vec!["GET", "POST", "PUT", "DELETE", "PATCH"]);
    let content_types = prop::option::of(prop::sample::select(vec![
        "application/json",
        "application/json; charset=utf-8",
        "text/plain",
        "multipart/form-data",
        "application/x-www-form-urlencoded",
        "application/jsonx",
    ]));
    let cases = std::env::var("VERIFIK_GARBAGE_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(400);
    let mut runner = TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            rng_algorithm: RngAlgorithm::ChaCha,
            rng_seed: RngSeed::Fixed(SEED),
            max_shrink_iters: 512,
            ..Config::default()
        },
        proptest::test_runner::TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes(SEED)),
    );
    let result =
        runner.run(&(methods, path(), auth(), content_types, body()), |(method, path, auth, content_type, body)| {
            let mut req = Request::builder().method(method).uri(&path);
            let header = match &auth {
                Auth::None => None,
                Auth::Raw(raw) => Some(raw.clone()),
                Auth::Bearer(t) => Some(format!("Bearer {t}")),
                Auth::Valid => Some(format!("Bearer {}", s.token)),
                Auth::Client => Some(format!("Bearer {}", s.client_token)),
            };
            if let Some(h) = header {
                req = req.header("authorization", h);
            }
            if let Some(ct) = content_type {
                req = req.header("content-type", ct);
            }
            let Ok(req) = req.body(Body::from(body.clone())) else {
                return Ok(()); // http refuses to build this request at all, so no server could see it
            };
            let a = rt.block_on(send(&router, req));
            prop_assert!(
                a.status.as_u16() < 500,
                "{method} {path} ({auth:?}, {} body bytes) answered {}",
                body.len(),
                a.status
            );
            prop_assert!(
                serde_json::from_slice::<Value>(&a.raw).is_ok(),
                "{method} {path} answered {} without a JSON body",
                a.status
            );
            Ok(())
        });
    if let Err(e) = result {
        panic!("seed {SEED:#x}: {e}");
    }
}

fn seed_bytes(seed: u64) -> [u8; 32] {
    let mut b = [0u8; 32];
    b[..8].copy_from_slice(&seed.to_le_bytes());
    b
}
