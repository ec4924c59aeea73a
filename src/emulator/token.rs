//! App Registration tokens: their claims, and minting and verifying them (HS256) with the emulator's
//! stored secret. Apart from the extractors (`auth`) so that the shared state can hold the keys.

use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::error::ApiError;

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
