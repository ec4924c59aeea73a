//! jsonwebtoken's crypto provider for the one algorithm the emulator signs and verifies (HS256), on
//! ring, the library rustls already brings.
//!
//! jsonwebtoken ships providers on aws-lc-rs and on RustCrypto only: the first was the largest single
//! unit of a clean build and a large part of the release binary, the second brings
//! RSA and elliptic-curve crates (and an RSA advisory) for tokens that are HMAC only. Every other algorithm is refused with
//! `InvalidAlgorithm`, which `Validation::new(HS256)` already does before a verifier is asked for.

use std::sync::Once;

use jsonwebtoken::crypto::{CryptoProvider, JwtSigner, JwtVerifier, KeyUtils};
use jsonwebtoken::errors::{Error, ErrorKind};
use jsonwebtoken::{Algorithm, AlgorithmFamily, DecodingKey, EncodingKey};
use ring::hmac;
use signature::{Signer, Verifier};

struct Hs256(hmac::Key);

impl Signer<Vec<u8>> for Hs256 {
    fn try_sign(&self, msg: &[u8]) -> Result<Vec<u8>, signature::Error> {
        Ok(hmac::sign(&self.0, msg).as_ref().to_vec())
    }
}

impl JwtSigner for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

impl Verifier<Vec<u8>> for Hs256 {
    fn verify(&self, msg: &[u8], signature: &Vec<u8>) -> Result<(), signature::Error> {
        // ring compares in constant time.
        hmac::verify(&self.0, msg, signature).map_err(|_| signature::Error::new())
    }
}

impl JwtVerifier for Hs256 {
    fn algorithm(&self) -> Algorithm {
        Algorithm::HS256
    }
}

fn hs256_only(algorithm: &Algorithm, family: AlgorithmFamily) -> Result<(), Error> {
    match (algorithm, family) {
        (Algorithm::HS256, AlgorithmFamily::Hmac) => Ok(()),
        (Algorithm::HS256, _) => Err(ErrorKind::InvalidKeyFormat.into()),
        _ => Err(ErrorKind::InvalidAlgorithm.into()),
    }
}

static PROVIDER: CryptoProvider = CryptoProvider {
    signer_factory: |algorithm, key: &EncodingKey| {
        hs256_only(algorithm, key.family())?;
        Ok(Box::new(Hs256(hmac::Key::new(hmac::HMAC_SHA256, key.as_bytes()))))
    },
    verifier_factory: |algorithm, key: &DecodingKey| {
        hs256_only(algorithm, key.family())?;
        Ok(Box::new(Hs256(hmac::Key::new(hmac::HMAC_SHA256, key.try_get_as_bytes()?))))
    },
    key_utils: KeyUtils::new_unimplemented(),
};

/// Makes the HS256-on-ring provider jsonwebtoken's process default. Idempotent; must run before the
/// first token is minted or verified (the emulator's key set calls it).
pub(crate) fn install() {
    static ONCE: Once = Once::new();
    // Refused only if another provider was installed first: that one then signs HS256 the same way.
    ONCE.call_once(|| _ = PROVIDER.install_default());
}

#[cfg(test)]
mod tests {
    use jsonwebtoken::{Header, Validation};

    use super::*;

    /// RFC 7515 appendix A.1's key and signing input give its signature, byte for byte.
    #[test]
    fn signs_the_rfc_7515_example() {
        let key = base64::Engine::decode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow",
        )
        .expect("the RFC's key");
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        install();
        let signature = jsonwebtoken::crypto::sign(input.as_bytes(), &EncodingKey::from_secret(&key), Algorithm::HS256)
            .expect("signs");
        assert_eq!(signature, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
    }

    #[test]
    fn verifies_its_own_tokens_and_refuses_other_keys_and_algorithms() {
        install();
        let claims = serde_json::json!({"sub": "x", "exp": 4_000_000_000_i64});
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(b"k1"))
            .expect("mints");
        let validation = Validation::new(Algorithm::HS256);
        let decode = |secret: &[u8]| {
            jsonwebtoken::decode::<serde_json::Value>(&token, &DecodingKey::from_secret(secret), &validation)
        };
        assert!(decode(b"k1").is_ok());
        let wrong = decode(b"k2").expect_err("another key");
        assert_eq!(wrong.kind(), &ErrorKind::InvalidSignature);
        let hs512 = jsonwebtoken::encode(&Header::new(Algorithm::HS512), &claims, &EncodingKey::from_secret(b"k1"))
            .expect_err("HS512 is not ours");
        assert_eq!(hs512.kind(), &ErrorKind::InvalidAlgorithm);
    }
}
