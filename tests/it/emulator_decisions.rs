//! Router-level tests (`oneshot`, no sockets) for every row of the emulator's decisions table in the
//! `docs/emulator.md`, plus the documented outcomes of the central endpoint.

use crate::common::*;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine as _;
use serde_json::{Value, json};

pub(crate) fn documented(code: &str, status: u16) -> Value {
    json!({"code": code, "message": format!("{status}:{code}")})
}

#[tokio::test]
async fn documented_200_body_has_exactly_the_documented_keys_and_keeps_the_status() {
    let r = emulator().router();
    let s = setup(&r, json!({})).await;
    let a = validate_face(&r, &s.token).await;
    assert_eq!(a.status, StatusCode::OK, "{}", a.body);
    assert_eq!(a.content_type.as_deref(), Some("application/json"));
    let keys: Vec<&str> = a.body["data"].as_object().expect("object").keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "_id",
            "client",
            "project",
            "projectFlow",
            "status",
            "email",
            "biometricValidation",
            "person",
            "informationValidation",
            "assignedCollection",
            "createdAt",
            "updatedAt"
        ]
    );
    assert_eq!(a.body["data"]["status"], "STARTED", "status after success is unchanged");
    assert_eq!(a.body["data"]["_id"], s.registration.as_str());
}

#[tokio::test]
async fn order_auth_before_body() {
    let r = emulator().router();
    let a = call(&r, "POST", CENTRAL, Some("garbage"), Some(json!({"os": "nope"}))).await;
    assert_eq!(a.status, StatusCode::UNAUTHORIZED);
    let raw = Request::post(CENTRAL).header("content-type", "text/plain").body(Body::from("x")).expect("request");
    assert_eq!(send(&r, raw).await.status, StatusCode::UNAUTHORIZED, "auth is checked before the content type");
}

#[tokio::test]
async fn order_body_before_lookup_before_collection() {
    let r = emulator().router();
    let done = setup(&r, json!({"status": "COMPLETED", "collection": false})).await;
    let a = validate(&r, &done.token, json!({"image": face_uri()})).await;
    assert_eq!((a.status, a.body["code"].as_str()), (StatusCode::CONFLICT, Some("MissingParameter")));
    let a = validate_face(&r, &done.token).await;
    assert_eq!((a.status, &a.body), (StatusCode::NOT_FOUND, &documented("appRegistration_not_found", 404)));
    let bare = setup(&r, json!({"collection": false})).await;
    let a = validate_face(&r, &bare.token).await;
    assert_eq!((a.status, &a.body), (StatusCode::CONFLICT, &documented("collection_not_set", 409)));
}

#[tokio::test]
async fn order_person_before_credits_before_image() {
    let r = emulator().router();
    let not_an_image =
        format!("data:image/jpeg;base64,{}", base64::engine::general_purpose::STANDARD.encode(b"not a jpeg at all"));
    let s = setup(&r, json!({"personSet": true, "credits": 0})).await;
    let a = validate(&r, &s.token, json!({"image": not_an_image, "os": "IOS"})).await;
    assert_eq!((a.status, &a.body), (StatusCode::CONFLICT, &documented("person_already_set", 409)));
    let a = validate(&r, &s.token, json!({"image": not_an_image, "os": "IOS", "force": true})).await;
    assert_eq!(a.status, StatusCode::PAYMENT_REQUIRED, "{}", a.body);
    assert_eq!(a.body, json!({"code": "PaymentRequired", "message": "402:insufficient_credits"}));
    let paid = setup(&r, json!({"livenessScript": [0.99]})).await;
    let a = validate(&r, &paid.token, json!({"image": not_an_image, "os": "IOS"})).await;
    assert_eq!(a.status, StatusCode::CONFLICT);
    assert_eq!(
        a.body["code"], "MissingParameter",
        "the image is decoded before any score, scripted or not: {}",
        a.body
    );
    let a = validate_face(&r, &paid.token).await;
    assert_eq!(a.status, StatusCode::OK, "the script step was not used up by the undecodable image: {}", a.body);
}

#[tokio::test]
async fn inactive_statuses_are_not_found() {
    let r = emulator().router();
    for status in ["COMPLETED", "COMPLETED_WITHOUT_KYC", "FAILED", "NEEDS_MANUAL_VERIFICATION", "EXPIRED"] {
        let s = setup(&r, json!({"status": status})).await;
        let a = validate_face(&r, &s.token).await;
        assert_eq!(
            (a.status, &a.body),
            (StatusCode::NOT_FOUND, &documented("appRegistration_not_found", 404)),
            "{status}"
        );
    }
    for status in ["STARTED", "ONGOING"] {
        let s = setup(&r, json!({"status": status})).await;
        assert_eq!(validate_face(&r, &s.token).await.status, StatusCode::OK, "{status}");
    }
}

#[tokio::test]
async fn invalid_fields_are_missing_parameter_naming_the_field() {
    let r = emulator().router();
    let s = setup(&r, json!({})).await;
    let face = face_uri();
    let cases = [
        (json!({"os": "DESKTOP"}), "\"image\" is required"),
        (json!({"image": null, "os": "DESKTOP"}), "\"image\" is required"),
        (json!({"image": 7, "os": "DESKTOP"}), "\"image\" must be a string"),
        (json!({"image": "", "os": "DESKTOP"}), "\"image\" is empty"),
        (json!({"image": "/9j/4AAQ", "os": "DESKTOP"}), "\"image\" does not start"),
        (json!({"image": "data:image/png;base64,/9j/4AAQ", "os": "DESKTOP"}), "\"image\" "),
        (json!({"image": face, "os": "desktop"}), "\"os\" must be one of [DESKTOP, IOS, ANDROID]"),
        (json!({"image": face, "os": "WINDOWS"}), "\"os\" must be one of"),
        (json!({"image": face, "os": ["IOS"]}), "\"os\" must be a string"),
        (json!({"image": face}), "\"os\" is required"),
        (json!({"image": face, "os": "IOS", "force": "true"}), "\"force\" must be a boolean"),
        (json!({"image": face, "os": "IOS", "force": 1}), "\"force\" must be a boolean"),
    ];
    for (body, message) in cases {
        let a = validate(&r, &s.token, body.clone()).await;
        // The case is named by its expected message: a body would print a whole face in base64.
        assert_eq!(a.status, StatusCode::CONFLICT, "case {message:?}");
        assert_eq!(a.body["code"], "MissingParameter", "case {message:?}");
        let got = a.body["message"].as_str().unwrap_or_default();
        assert!(got.starts_with(message), "{got:?} should start with {message:?}");
        assert!(!got.contains("/9j/4AAQSkZJRg"), "messages never quote image data");
    }
    let dup = format!(r#"{{"image":"{face}","os":"IOS","os":"ANDROID"}}"#);
    let raw = Request::post(CENTRAL)
        .header("authorization", format!("Bearer {}", s.token))
        .header("content-type", "application/json")
        .body(Body::from(dup))
        .expect("request");
    let a = send(&r, raw).await;
    assert_eq!((a.status, a.body["message"].as_str()), (StatusCode::CONFLICT, Some("\"os\" is given more than once")));
    assert_eq!(usage_count(&r, &s.client_token).await, 0, "no invalid request is charged");
}

#[tokio::test]
async fn auth_answers() {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
    let r = emulator().router();
    let s = setup(&r, json!({})).await;
    let body = json!({"image": face_uri(), "os": "ANDROID"});
    let unauthorized = json!({"code": "UNAUTHORIZED", "message": "Authentication required"});
    let no_header = call(&r, "POST", CENTRAL, None, Some(body.clone())).await;
    assert_eq!((no_header.status, &no_header.body), (StatusCode::UNAUTHORIZED, &unauthorized));
    let basic = Request::post(CENTRAL)
        .header("authorization", format!("Basic {}", s.token))
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .expect("request");
    assert_eq!(send(&r, basic).await.status, StatusCode::UNAUTHORIZED, "wrong scheme");
    let mut parts: Vec<String> = s.token.split('.').map(str::to_owned).collect();
    let sig = parts[2].clone();
    parts[2] = format!("{}{}", if sig.starts_with('A') { "B" } else { "A" }, &sig[1..]);
    let tampered = parts.join(".");
    let none = format!("{}.{}.", B64.encode(br#"{"alg":"none","typ":"JWT"}"#), parts[1]);
    for token in ["x", "a.b.c", tampered.as_str(), none.as_str()] {
        let a = validate(&r, token, body.clone()).await;
        assert_eq!((a.status, &a.body), (StatusCode::UNAUTHORIZED, &unauthorized), "{token}");
    }
    for expires_in in [-1, -86_400] {
        let expired = setup(&r, json!({"tokenExpiresIn": expires_in})).await;
        let a = validate(&r, &expired.token, body.clone()).await;
        assert_eq!(
            (a.status, &a.body),
            (StatusCode::FORBIDDEN, &json!({"code": "FORBIDDEN", "message": "token_expired"}))
        );
    }
    let early = setup(&r, json!({"tokenNotBeforeIn": 3600})).await;
    let a = validate(&r, &early.token, body.clone()).await;
    assert_eq!((a.status, &a.body), (StatusCode::UNAUTHORIZED, &unauthorized), "not yet valid");
    let a = validate(&r, &s.client_token, body.clone()).await;
    assert_eq!(
        (a.status, &a.body),
        (StatusCode::FORBIDDEN, &json!({"code": "FORBIDDEN", "message": "token_not_right"}))
    );
    let a = call(&r, "GET", "/v2/credits", Some(&s.token), None).await;
    assert_eq!(a.status, StatusCode::FORBIDDEN, "a registration token is refused on client routes");
    assert_eq!(usage_count(&r, &s.client_token).await, 0);
}

#[tokio::test]
async fn pass_rule_is_strict_with_two_decimals() {
    let r = emulator().router();
    let s = setup(&r, json!({"livenessScript": [0.6, 0.604, 0.45, 0.61]})).await;
    for expected in ["0.60", "0.60", "0.45"] {
        let a = validate_face(&r, &s.token).await;
        assert_eq!(a.status, StatusCode::CONFLICT);
        assert_eq!(a.body["code"], "liveness_failed");
        assert_eq!(a.body["message"], format!("409:liveness_failed@{expected}"));
        assert_eq!(a.body["failureKind"], "score");
        assert_eq!(a.body["minimumScore"], 0.6);
    }
    let s2 = setup(&r, json!({"livenessScript": [0.61]})).await;
    assert_eq!(validate_face(&r, &s2.token).await.status, StatusCode::OK, "0.61 > 0.60 passes");
}

#[tokio::test]
async fn quality_failures_name_the_provider_code_and_use_no_attempt() {
    let r = emulator().router();
    let codes = [
        ("ERR_NO_FACE_DETECTED", "no_face_detected"),
        ("ERR_MULTIPLE_FACES_DETECTED", "multiple_faces_detected"),
        ("ERR_LIVENESS_FACE_TOO_SMALL", "face_too_far"),
        ("ERR_LIVENESS_FACE_CLOSE_TO_BORDER", "face_close_to_border"),
    ];
    let s = setup(&r, json!({"livenessScript": codes.iter().map(|c| c.0).collect::<Vec<_>>()})).await;
    for (code, reason) in codes {
        let a = validate_face(&r, &s.token).await;
        assert_eq!(a.status, StatusCode::CONFLICT);
        assert_eq!(a.body["message"], format!("409:liveness_failed@{code}"));
        assert_eq!(a.body["failureKind"], "quality");
        assert_eq!(a.body["failureReason"], reason);
        assert_eq!(a.body["remainingAttempts"], 3, "quality failures use no attempt");
    }
    assert_eq!(validate_face(&r, &s.token).await.status, StatusCode::OK);
}

#[tokio::test]
async fn score_failures_use_attempts_and_the_last_one_fails_the_registration() {
    let r = emulator().router();
    let s = setup(&r, json!({"livenessScript": [0.1, 0.2, 0.3]})).await;
    for remaining in [2, 1, 0] {
        let a = validate_face(&r, &s.token).await;
        assert_eq!(a.body["remainingAttempts"], remaining, "{}", a.body);
        assert!(
            a.body["livenessScore"].as_f64().is_some_and(|s| (0.0..=0.6).contains(&s)),
            "the failed score is reported"
        );
    }
    assert_eq!(registration(&r, &s.client_token, &s.registration).await["status"], "FAILED");
    let a = validate_face(&r, &s.token).await;
    assert_eq!((a.status, &a.body), (StatusCode::NOT_FOUND, &documented("appRegistration_not_found", 404)));
    assert_eq!(usage_count(&r, &s.client_token).await, 0, "failures are free");
}

#[tokio::test]
async fn force_replaces_person_and_validation() {
    let r = emulator().router();
    let s = setup(&r, json!({})).await;
    let first = validate_face(&r, &s.token).await.body["data"].clone();
    let again = validate_face(&r, &s.token).await;
    assert_eq!((again.status, &again.body), (StatusCode::CONFLICT, &documented("person_already_set", 409)));
    let forced = validate(&r, &s.token, json!({"image": face_uri(), "os": "IOS", "force": true})).await;
    assert_eq!(forced.status, StatusCode::OK);
    let second = forced.body["data"].clone();
    assert_ne!(first["person"], second["person"]);
    assert_ne!(first["biometricValidation"], second["biometricValidation"]);
    let old_bv = call(
        &r,
        "GET",
        &format!("/v2/biometric-validations/{}", first["biometricValidation"].as_str().expect("id")),
        Some(&s.client_token),
        None,
    )
    .await;
    assert_eq!(old_bv.body["data"]["status"], "expired");
    let reg = registration(&r, &s.client_token, &s.registration).await;
    assert_eq!(reg["person"]["_id"], second["person"]);
    assert_eq!(reg["person"]["status"], "active");
    assert_eq!(reg["biometricValidation"]["os"], "IOS");
    assert_eq!(usage_count(&r, &s.client_token).await, 2, "one credit per 200, force included");
    let unforced = validate(&r, &s.token, json!({"image": face_uri(), "os": "IOS", "force": false})).await;
    assert_eq!(unforced.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn credits_one_per_success_and_402_when_empty() {
    let r = emulator().router();
    let s = setup(&r, json!({"credits": 1, "livenessScript": [0.2]})).await;
    assert_eq!(validate_face(&r, &s.token).await.status, StatusCode::CONFLICT);
    assert_eq!(usage_count(&r, &s.client_token).await, 0);
    assert_eq!(validate_face(&r, &s.token).await.status, StatusCode::OK);
    assert_eq!(usage_count(&r, &s.client_token).await, 1);
    let a = validate(&r, &s.token, json!({"image": face_uri(), "os": "IOS", "force": true})).await;
    assert_eq!((a.status, a.body["code"].as_str()), (StatusCode::PAYMENT_REQUIRED, Some("PaymentRequired")));
    assert_eq!(usage_count(&r, &s.client_token).await, 1);
}
