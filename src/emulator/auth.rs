//! Who is calling: the bearer token of a request, recognised as a client token or verified as an App
//! Registration JWT (`token`).
//!
//! The extractors here are the only place handlers learn who is calling. Order matters and is part of
//! the documented emulator behaviour: a known client token is refused with `token_not_right` on
//! registration routes (a token this emulator signed is never one), then the JWT's rejection stands
//! (signature, then `exp`, then `nbf`). `alg: none` never verifies because only HS256 is allowed.

use super::error::ApiError;
use super::policy::Presented;
use super::state::AppState;
use super::store;
use super::token::{RegistrationClaims, TokenRejection};
use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;

/// The token after `Bearer ` (scheme case-insensitive, as RFC 7235 says).
pub(crate) fn bearer(parts: &Parts) -> Result<&str, TokenRejection> {
    let value = parts.headers.get(AUTHORIZATION).ok_or(TokenRejection::Missing)?;
    let value = value.to_str().map_err(|_| TokenRejection::Malformed)?;
    let (scheme, token) = value.split_once(' ').ok_or(TokenRejection::Malformed)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(TokenRejection::Malformed);
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(TokenRejection::Missing);
    }
    Ok(token)
}

/// A caller holding a valid App Registration token.
pub(crate) struct RegistrationAuth(pub RegistrationClaims);

/// A caller holding a client token; the value is the client id.
pub(crate) struct ClientAuth(pub String);

/// Either kind of caller, for routes both may read.
pub(crate) enum AnyAuth {
    Client(String),
    Registration(RegistrationClaims),
}

async fn client_for(state: &AppState, token: &str) -> Result<Option<String>, ApiError> {
    let token = token.to_owned();
    Ok(state.store.call(move |c| store::client_by_token(c, &token)).await?)
}

impl FromRequestParts<AppState> for RegistrationAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let refuse = |e: ApiError, presented: Presented| state.policy.refuse_credential(e, presented);
        let token = bearer(parts).map_err(|r| refuse(r.into_api_error(), Presented::Unverified))?;
        // A token this emulator signed is a registration's, never a client's (client tokens are
        // opaque strings given at seeding): answering it without the store keeps the central route off
        // the blocking pool. Any other token is looked up first, so a client's is still refused with
        // `token_not_right` whatever its shape.
        let rejection = match state.keys.verify(token) {
            Ok(claims) => return Ok(RegistrationAuth(claims)),
            Err(rejection) => rejection,
        };
        if client_for(state, token).await?.is_some() {
            return Err(refuse(ApiError::token_not_right(), Presented::ClientToken));
        }
        Err(refuse(rejection.into_api_error(), Presented::Unverified))
    }
}

impl FromRequestParts<AppState> for ClientAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).map_err(TokenRejection::into_api_error)?;
        if let Some(client) = client_for(state, token).await? {
            return Ok(ClientAuth(client));
        }
        match state.keys.verify(token) {
            Ok(_) => Err(ApiError::token_not_right()),
            Err(rejection) => Err(rejection.into_api_error()),
        }
    }
}

impl FromRequestParts<AppState> for AnyAuth {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).map_err(TokenRejection::into_api_error)?;
        if let Some(client) = client_for(state, token).await? {
            return Ok(AnyAuth::Client(client));
        }
        state.keys.verify(token).map(AnyAuth::Registration).map_err(TokenRejection::into_api_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::token::Keys;

    fn claims(exp: i64, nbf: Option<i64>) -> RegistrationClaims {
        RegistrationClaims {
            client: "c".into(),
            app_registration_id: "r".into(),
            project: "p".into(),
            project_flow: "f".into(),
            iat: 0,
            nbf,
            exp,
        }
    }

    #[test]
    fn verifies_signature_expiry_and_not_before() {
        let keys = Keys::from_secret(b"secret", false);
        let now = chrono::Utc::now().timestamp();
        let good = keys.mint(&claims(now + 60, None)).expect("mint");
        assert_eq!(keys.verify(&good).map(|c| c.app_registration_id), Ok("r".to_owned()));
        let expired = keys.mint(&claims(now - 1, None)).expect("mint");
        assert_eq!(keys.verify(&expired), Err(TokenRejection::Expired));
        let early = keys.mint(&claims(now + 60, Some(now + 30))).expect("mint");
        assert_eq!(keys.verify(&early), Err(TokenRejection::NotYetValid));
        let other = Keys::from_secret(b"other", false).mint(&claims(now + 60, None)).expect("mint");
        assert_eq!(keys.verify(&other), Err(TokenRejection::BadSignature));
        assert_eq!(keys.verify("not.a.jwt"), Err(TokenRejection::Malformed));
    }

    #[test]
    fn alg_none_is_never_accepted() {
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let keys = Keys::from_secret(b"secret", false);
        let now = chrono::Utc::now().timestamp();
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64.encode(serde_json::to_vec(&claims(now + 60, None)).expect("json"));
        for token in [format!("{header}.{body}."), format!("{header}.{body}")] {
            assert!(keys.verify(&token).is_err(), "{token}");
        }
    }
}
