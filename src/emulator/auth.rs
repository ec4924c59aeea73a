//! Bearer tokens: minting and verifying App Registration JWTs (HS256) and recognising client tokens.
//!
//! The extractors here are the only place handlers learn who is calling. Order matters and is part of
//! the documented emulator behaviour: a known client token is refused with `token_not_right` on
//! registration routes (a token this emulator signed is never one), then the JWT's rejection stands
//! (signature, then `exp`, then `nbf`). `alg: none` never verifies because only HS256 is allowed.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::deviation::Deviation;
use super::error::ApiError;
use super::state::AppState;
use super::store;

/// The claims of an App Registration token. Names follow what is known of the vendor's tokens
/// (`client`, `appRegistrationId`); the rest are our choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RegistrationClaims {
    pub client: String,
    pub app_registration_id: String,
    pub project: String,
    pub project_flow: String,
    pub iat: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    pub exp: i64,
}

/// Registration tokens live 30 days, like the vendor's client tokens.
pub(crate) const TOKEN_LIFETIME_SECS: i64 = 30 * 24 * 3600;

/// Why a presented token was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TokenRejection {
    Missing,
    Malformed,
    BadSignature,
    Expired,
    NotYetValid,
}

impl TokenRejection {
    pub(crate) fn into_api_error(self) -> ApiError {
        match self {
            TokenRejection::Expired => ApiError::token_expired(),
            _ => ApiError::unauthorized(),
        }
    }
}

/// The HS256 key pair derived from the emulator's stored secret.
pub struct Keys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl Keys {
    /// `ignore_expiry` is the `ignore-token-expiry` deviation, never the default.
    pub(crate) fn from_secret(secret: &[u8], ignore_expiry: bool) -> Keys {
        super::jwt_ring::install();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 0;
        validation.validate_exp = !ignore_expiry;
        validation.validate_nbf = true;
        validation.set_required_spec_claims(&["exp"]);
        Keys { encoding: EncodingKey::from_secret(secret), decoding: DecodingKey::from_secret(secret), validation }
    }

    pub(crate) fn mint(&self, claims: &RegistrationClaims) -> Result<String, jsonwebtoken::errors::Error> {
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    pub(crate) fn verify(&self, token: &str) -> Result<RegistrationClaims, TokenRejection> {
        jsonwebtoken::decode::<RegistrationClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                ErrorKind::ExpiredSignature => TokenRejection::Expired,
                ErrorKind::ImmatureSignature => TokenRejection::NotYetValid,
                ErrorKind::InvalidSignature => TokenRejection::BadSignature,
                _ => TokenRejection::Malformed,
            })
    }
}

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
        let deviate = |mut e: ApiError| {
            if state.deviates(Deviation::Unauthorized403) && e.status == axum::http::StatusCode::UNAUTHORIZED {
                e.status = axum::http::StatusCode::FORBIDDEN;
            }
            e
        };
        let token = bearer(parts).map_err(|r| deviate(r.into_api_error()))?;
        // A token this emulator signed is a registration's, never a client's (client tokens are
        // opaque strings given at seeding): answering it without the store keeps the central route off
        // the blocking pool. Any other token is looked up first, so a client's is still refused with
        // `token_not_right` whatever its shape.
        let rejection = match state.keys.verify(token) {
            Ok(claims) => return Ok(RegistrationAuth(claims)),
            Err(rejection) => rejection,
        };
        if client_for(state, token).await?.is_some() {
            if state.deviates(Deviation::ClientToken401) {
                return Err(ApiError::unauthorized());
            }
            return Err(ApiError::token_not_right());
        }
        Err(deviate(rejection.into_api_error()))
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
