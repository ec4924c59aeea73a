//! Router-level tests (`oneshot`, no sockets) of the emulator's routes around the central endpoint:
//! hardening answers, provider states, the public API flow and sync, the provider-state schemas, and
//! the liveness engine's seeded noise and shift.

use crate::common::*;
use crate::emulator_decisions::documented;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;

#[tokio::test]
async fn hardening_answers_are_json() {
    let r = emulator().router();
    let s = setup(&r, json!({})).await;
    let post = |ct: Option<&str>, body: Vec<u8>| {
        let mut b = Request::post(CENTRAL).header("authorization", format!("Bearer {}", s.token));
        if let Some(ct) = ct {
            b = b.header("content-type", ct);
        }
        b.body(Body::from(body)).expect("request")
    };
    let cases = [
        (post(Some("application/json"), b"{not json".to_vec()), 400, "BadRequest"),
        (post(Some("application/json"), b"".to_vec()), 400, "BadRequest"),
        (post(Some("application/json"), b"[1,2]".to_vec()), 409, "MissingParameter"),
        (post(Some("text/plain"), b"{}".to_vec()), 415, "UnsupportedMediaType"),
        (post(None, b"{}".to_vec()), 415, "UnsupportedMediaType"),
        (post(Some("application/json"), vec![b' '; 11 * 1024 * 1024]), 413, "PayloadTooLarge"),
    ];
    for (req, status, code) in cases {
        let a = send(&r, req).await;
        assert_eq!(a.status.as_u16(), status, "{}", String::from_utf8_lossy(&a.raw[..a.raw.len().min(200)]));
        assert_eq!(a.body["code"], code);
        assert_eq!(a.content_type.as_deref(), Some("application/json"));
    }
    let a = call(&r, "GET", CENTRAL, Some(&s.token), None).await;
    assert_eq!((a.status, a.body["code"].as_str()), (StatusCode::METHOD_NOT_ALLOWED, Some("MethodNotAllowed")));
    let a = call(&r, "GET", "/v2/nothing-here", None, None).await;
    assert_eq!((a.status, a.body["code"].as_str()), (StatusCode::NOT_FOUND, Some("NotFound")));
}

#[tokio::test]
async fn provider_states_are_off_unless_enabled() {
    let plain = verifik_conformance::emulator::Emulator::new(verifik_conformance::emulator::EmulatorConfig::default())
        .expect("starts")
        .router();
    let a =
        call(&plain, "POST", "/__conformance/provider-states", None, Some(json!({"state": "app registration"}))).await;
    assert_eq!(a.status, StatusCode::NOT_FOUND);
    let r = emulator().router();
    for bad in [
        json!({"state": "nope"}),
        json!({"state": "app registration", "params": {"minScore": 2}}),
        json!({"state": "app registration", "params": {"typo": 1}}),
    ] {
        let a = call(&r, "POST", "/__conformance/provider-states", None, Some(bad.clone())).await;
        assert_eq!(a.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn public_api_flow_reaches_collection_not_set() {
    let r = emulator().router();
    let flows = call(&r, "GET", "/v2/project-flows", Some("test-client"), None).await.body["data"].clone();
    let projects = call(&r, "GET", "/v2/projects", Some("test-client"), None).await.body["data"].clone();
    let flows = flows.as_array().expect("flows");
    assert_eq!(flows.len(), 2);
    assert_eq!(
        flows[0]["liveness"],
        json!({"minScore": 0.6, "searchMode": "ACCURATE", "searchMinScore": 0.9, "attemptLimit": 3})
    );
    let bare = projects
        .as_array()
        .expect("projects")
        .iter()
        .find(|p| p["assignedCollection"].is_null())
        .expect("a project without collection");
    let flow = flows.iter().find(|f| f["project"] == bare["_id"]).expect("its flow");
    let created = call(
        &r,
        "POST",
        "/v2/app-registrations",
        Some("test-client"),
        Some(json!({"project": bare["_id"], "projectFlow": flow["_id"], "email": "a@example.com"})),
    )
    .await;
    assert_eq!(created.status, StatusCode::OK, "{}", created.body);
    let token = created.body["data"]["token"].as_str().expect("token");
    let header = jsonwebtoken::decode_header(token).expect("a JWT");
    assert_eq!((header.alg, header.typ.as_deref()), (jsonwebtoken::Algorithm::HS256, Some("JWT")));
    let a = validate_face(&r, token).await;
    assert_eq!((a.status, &a.body), (StatusCode::CONFLICT, &documented("collection_not_set", 409)));
    let missing = call(
        &r,
        "POST",
        "/v2/app-registrations",
        Some("test-client"),
        Some(json!({"project": bare["_id"], "projectFlow": flow["_id"]})),
    )
    .await;
    assert_eq!(
        missing.body,
        json!({"code": "MissingParameter", "message": "Needs an email or a phone at least", "status": 409})
    );
}

#[tokio::test]
async fn sync_moves_status_and_completed_registrations_are_refused() {
    let r = emulator().router();
    let s = setup(&r, json!({})).await;
    let path = format!("/v2/app-registrations/{}/sync", s.registration);
    let a = call(&r, "PUT", &path, Some(&s.token), Some(json!({"step": "liveness", "status": "ONGOING"}))).await;
    assert_eq!((a.status, &a.body["data"]["status"]), (StatusCode::OK, &json!("ONGOING")));
    let a = call(&r, "PUT", &path, Some(&s.token), Some(json!({"step": "warp", "status": "ONGOING"}))).await;
    assert_eq!(a.status, StatusCode::BAD_REQUEST, "an unknown step is never a 5xx");
    let a = call(&r, "PUT", &path, Some(&s.token), Some(json!({"step": "end", "status": "COMPLETED"}))).await;
    assert_eq!(a.status, StatusCode::OK);
    let v = validate_face(&r, &s.token).await;
    assert_eq!((v.status, &v.body), (StatusCode::NOT_FOUND, &documented("appRegistration_not_found", 404)));
    let other = setup(&r, json!({})).await;
    let a = call(&r, "PUT", &path, Some(&other.token), Some(json!({"step": "liveness", "status": "ONGOING"}))).await;
    assert_eq!(
        a.body,
        documented("AppRegistration_not_found", 404),
        "another registration's token cannot sync this one"
    );
}

#[tokio::test]
async fn provider_state_requests_and_responses_match_their_schemas() {
    let schemas = verifik_conformance::schemas::SchemaSet::load().expect("schemas load");
    let r = emulator().router();
    for example in schemas.examples("provider-state-request.json") {
        let a = call(&r, "POST", "/__conformance/provider-states", None, Some(example.clone())).await;
        assert_eq!(a.status, StatusCode::OK, "{example} -> {}", a.body);
        assert_eq!(schemas.check("provider-state-response.json", &a.body), vec![], "{}", a.body);
    }
    let with_person = setup(&r, json!({"personSet": true})).await;
    assert_eq!(schemas.check("provider-state-response.json", &json!({"data": with_person.data})), vec![]);
}

/// `--liveness-shift` moves every engine score (the fixture face scores 0.78), and `--liveness-noise`
/// spreads them with the seed: the same seed gives the same scores.
#[tokio::test]
async fn liveness_shift_and_noise_move_the_engine_scores() {
    use verifik_conformance::emulator::noise::ScoreNoise;
    use verifik_conformance::emulator::{Emulator, EmulatorConfig};
    let with = |noise: ScoreNoise| {
        Emulator::new(EmulatorConfig { provider_states: true, score_noise: noise, ..EmulatorConfig::default() })
            .expect("emulator starts")
            .router()
    };
    let r = with(ScoreNoise { shift: -0.5, seed: 1, ..ScoreNoise::default() });
    let s = setup(&r, json!({})).await;
    let a = validate_face(&r, &s.token).await;
    assert_eq!(a.body["message"], "409:liveness_failed@0.28", "{}", a.body);
    let scores = |seed: u64| async move {
        let r = with(ScoreNoise { sd: 0.05, shift: -0.5, seed, ..ScoreNoise::default() });
        let mut out = Vec::new();
        for _ in 0..4 {
            let s = setup(&r, json!({})).await;
            out.push(validate_face(&r, &s.token).await.body["message"].as_str().unwrap_or_default().to_owned());
        }
        out
    };
    let (first, again, other) = (scores(3).await, scores(3).await, scores(4).await);
    assert_eq!(first, again);
    assert_ne!(first, other);
    let distinct: std::collections::BTreeSet<_> = first.iter().collect();
    assert!(distinct.len() > 1, "noise spreads repeated presentations: {first:?}");
}
