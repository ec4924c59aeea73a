//! Token defects. The vendor documents only that the App Registration's own token must be used;
//! the exact answers (401 `UNAUTHORIZED`, 403 `token_expired`, 403 `token_not_right`) are the
//! emulator's decisions, so each behaviour is inferred, while "a defective token is refused and
//! creates nothing" is checked as documented.

use super::{MEETS_200, READS_BACK};
use crate::deviation::Deviation;
use base64::Engine as _;
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::Behaviour;
use super::{face_body, still_empty, success};
use crate::api::CENTRAL_PATH;
use crate::api::Os;
use crate::suite::behaviour::{Family, Strictness};
use crate::suite::finding::Check;
use crate::suite::generate;
use crate::suite::oracle;
use crate::suite::probe::{Probe, Stop};
use crate::suite::property::case_check;
use crate::target::{Call, Capability, Provisioned, StateParams, redact};

const SOURCE: &str = "\"You must use the token returned when creating an App Registration to authenticate this request.\"; answers per the emulator's decisions (docs/emulator.md)";

pub(crate) fn behaviours() -> Vec<Behaviour> {
    use Capability::*;
    vec![
        Behaviour::new(
            Family::Auth,
            "AUTH-MISSING-HEADER",
            "no Authorization header answers 401 {\"code\":\"UNAUTHORIZED\",\"message\":\"Authentication required\"}",
            SOURCE,
            missing_header,
        )
        .claims(&["AUTH-TOKEN-REQUIRED", "HEADER-AUTHORIZATION"])
        .broken_by(&[READS_BACK, &[Deviation::Unauthorized403]])
        .cost(3, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-WRONG-SCHEME",
            "a token under another scheme (Basic, Token, none) answers 401 UNAUTHORIZED (a valid one where the target gives one)",
            SOURCE,
            wrong_scheme,
        )
        .claims(&["AUTH-TOKEN-REQUIRED", "HEADER-AUTHORIZATION"])
        .broken_by(&[READS_BACK, &[Deviation::Unauthorized403]])
        .cost(5, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-MALFORMED",
            "a bearer that is not a JWT of ours answers 401 UNAUTHORIZED",
            SOURCE,
            malformed,
        )
        .claims(&["AUTH-TOKEN-REQUIRED"])
        .broken_by(&[READS_BACK, &[Deviation::Unauthorized403]])
        .property()
        .cost(2, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-TAMPERED-SIGNATURE",
            "a valid token with any one character changed answers 401 UNAUTHORIZED and creates nothing",
            SOURCE,
            tampered,
        )
        .claims(&["AUTH-TOKEN-REQUIRED"])
        .broken_by(&[READS_BACK, &[Deviation::Unauthorized403]])
        .property()
        .needs(&[Registration])
        .cost(2, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-ALG-NONE",
            "a token's claims (a real one's where the target gives one) under {\"alg\":\"none\"}, with and without a signature, answer 401 UNAUTHORIZED",
            SOURCE,
            alg_none,
        )
        .claims(&["AUTH-TOKEN-REQUIRED"])
        .broken_by(&[READS_BACK, &[Deviation::Unauthorized403]])
        .cost(4, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-EXPIRED-1S",
            "a token expired one second ago answers 403 {\"code\":\"FORBIDDEN\",\"message\":\"token_expired\"}",
            SOURCE,
            |p| expired(p, -1),
        )
        .claims(&["AUTH-TOKEN-REQUIRED"])
        .broken_by(&[&[Deviation::IgnoreTokenExpiry]])
        .needs(&[ProviderStates])
        .cost(2, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-EXPIRED-1D",
            "a token expired a day ago answers 403 {\"code\":\"FORBIDDEN\",\"message\":\"token_expired\"}",
            SOURCE,
            |p| expired(p, -86_400),
        )
        .claims(&["AUTH-TOKEN-REQUIRED"])
        .broken_by(&[&[Deviation::IgnoreTokenExpiry]])
        .needs(&[ProviderStates])
        .cost(2, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-NOT-YET-VALID",
            "a token whose nbf is an hour ahead answers 401 UNAUTHORIZED",
            SOURCE,
            not_yet_valid,
        )
        .claims(&["AUTH-TOKEN-REQUIRED"])
        .broken_by(&[&[Deviation::Unauthorized403]])
        .needs(&[ProviderStates])
        .cost(2, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-CLIENT-TOKEN",
            "the client's token where the registration's is needed answers 403 {\"code\":\"FORBIDDEN\",\"message\":\"token_not_right\"}",
            SOURCE,
            client_token,
        )
        .claims(&["AUTH-TOKEN-REQUIRED", "AUTH-REGISTRATION-TOKEN"])
        .broken_by(&[READS_BACK, &[Deviation::ClientToken401]])
        .needs(&[Registration, ClientToken])
        .cost(3, 0),
        Behaviour::new(
            Family::Auth,
            "AUTH-OTHER-REGISTRATION",
            "another registration's token acts on that registration only: the 200 names it and this one keeps no person",
            "\"The JWT Token you should use ... is provided from the App Registration in creation.\"",
            other_registration,
        )
        .claims(&["AUTH-REGISTRATION-TOKEN"])
        .broken_by(&[MEETS_200, READS_BACK])
        .documented()
        .needs(&[Registration])
        .cost(5, 0),
    ]
}

fn unauthorized() -> Value {
    json!({"code": "UNAUTHORIZED", "message": "Authentication required"})
}

/// A refusal that creates nothing: documented; the exact body: inferred.
fn refused_with(
    p: &mut Probe<'_>,
    authorization: Option<String>,
    status: StatusCode,
    body: &Value,
) -> Result<(), Stop> {
    let x = p.central(authorization, face_body(p, Os::Desktop))?;
    p.check_documented(oracle::refused(&x), Some(&x));
    p.check(oracle::exact_body(&x, status, body), Some(&x));
    Ok(())
}

/// A registration where the target can give one; without, the header behaviours use a made-up token
/// and the "creates nothing" read-back is skipped with the reason.
fn optional_registration(p: &mut Probe<'_>) -> Result<Option<Provisioned>, Stop> {
    if !p.ctx.provisioner.has(Capability::Registration) {
        return Ok(None);
    }
    match p.provision(&StateParams::default()) {
        Ok(reg) => Ok(Some(reg)),
        Err(Stop::Skip(_)) => Ok(None),
        Err(stop) => Err(stop),
    }
}

/// A well-formed HS256 JWT with plausible claims that no target signed.
fn made_up_token() -> String {
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let exp = chrono::Utc::now().timestamp() + 3600;
    let claims = b64.encode(format!(r#"{{"appRegistrationId":"000000000000000000000000","exp":{exp}}}"#));
    format!("{header}.{claims}.{}", b64.encode([7u8; 32]))
}

fn nothing_created(p: &mut Probe<'_>, reg: Option<&Provisioned>) -> Result<(), Stop> {
    match reg {
        Some(reg) => still_empty(p, &reg.registration, &reg.token),
        None => {
            p.skip_check(Check::NothingCreated, "the target gives no registration to read back");
            Ok(())
        }
    }
}

fn missing_header(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = optional_registration(p)?;
    refused_with(p, None, StatusCode::UNAUTHORIZED, &unauthorized())?;
    nothing_created(p, reg.as_ref())
}

fn wrong_scheme(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = optional_registration(p)?;
    let token = reg.as_ref().map_or_else(made_up_token, |r| r.token.clone());
    for header in [format!("Basic {token}"), format!("Token {token}"), token.clone(), "Bearer ".to_owned()] {
        refused_with(p, Some(header), StatusCode::UNAUTHORIZED, &unauthorized())?;
    }
    nothing_created(p, reg.as_ref())
}

fn malformed(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = optional_registration(p)?;
    let body = face_body(p, Os::Desktop);
    p.property(
        generate::garbage_token(),
        |t| redact::token(t),
        |case, token| {
            let x = case.send(&Call::post(CENTRAL_PATH, body.clone()).bearer(token))?;
            case_check(Strictness::Documented, oracle::refused(&x), &x)?;
            case_check(Strictness::Inferred, oracle::exact_body(&x, StatusCode::UNAUTHORIZED, &unauthorized()), &x)
        },
    )?;
    nothing_created(p, reg.as_ref())
}

fn tampered(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    let body = face_body(p, Os::Desktop);
    p.property(
        generate::tampered(reg.token.clone()),
        |t| format!("{t:?}"),
        |case, t| {
            let x = case.send(&Call::post(CENTRAL_PATH, body.clone()).bearer(&t.token))?;
            case_check(Strictness::Documented, oracle::refused(&x), &x)?;
            case_check(Strictness::Inferred, oracle::exact_body(&x, StatusCode::UNAUTHORIZED, &unauthorized()), &x)
        },
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

fn alg_none(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = optional_registration(p)?;
    let token = reg.as_ref().map_or_else(made_up_token, |r| r.token.clone());
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let parts: Vec<&str> = token.split('.').collect();
    let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
    let claims = parts.get(1).copied().unwrap_or_default();
    let signature = parts.get(2).copied().unwrap_or_default();
    for token in [format!("{header}.{claims}."), format!("{header}.{claims}.{signature}")] {
        refused_with(p, Some(format!("Bearer {token}")), StatusCode::UNAUTHORIZED, &unauthorized())?;
    }
    nothing_created(p, reg.as_ref())
}

fn expired(p: &mut Probe<'_>, seconds: i64) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { token_expires_in: Some(seconds), ..StateParams::default() })?;
    refused_with(
        p,
        Some(format!("Bearer {}", reg.token)),
        StatusCode::FORBIDDEN,
        &json!({"code": "FORBIDDEN", "message": "token_expired"}),
    )
}

fn not_yet_valid(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams { token_not_before_in: Some(3600), ..StateParams::default() })?;
    refused_with(p, Some(format!("Bearer {}", reg.token)), StatusCode::UNAUTHORIZED, &unauthorized())
}

fn client_token(p: &mut Probe<'_>) -> Result<(), Stop> {
    let reg = p.provision(&StateParams::default())?;
    let Some(client) = reg.client_token.clone() else {
        return Err(Stop::Skip("no client token is known for this target".into()));
    };
    refused_with(
        p,
        Some(format!("Bearer {client}")),
        StatusCode::FORBIDDEN,
        &json!({"code": "FORBIDDEN", "message": "token_not_right"}),
    )?;
    still_empty(p, &reg.registration, &reg.token)
}

fn other_registration(p: &mut Probe<'_>) -> Result<(), Stop> {
    let a = p.provision(&StateParams::default())?;
    let b = p.provision(&StateParams::default())?;
    let x = p.central_as(&b.token, face_body(p, Os::Desktop))?;
    p.check(oracle::status_is(&x, StatusCode::OK), Some(&x));
    if b.registration.is_empty() {
        p.skip_check(Check::ActsOnItsOwn, "the handed-in token does not name its registration");
    } else if x.status == StatusCode::OK
        && let Some(d) = success(p, &x)
    {
        p.expect(
            d.id == b.registration,
            Check::ActsOnItsOwn,
            || format!("the 200 names {}, not the token's registration", d.id),
            Some(&x),
        );
    }
    still_empty(p, &a.registration, &a.token)
}
