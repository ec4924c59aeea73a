//! The provider-state control endpoint's request and response (`POST /__conformance/provider-states`),
//! one set of types for the suite that sends them and the emulator that answers them, so the two can
//! never drift apart. `schemas/provider-state-request.json` and `-response.json` describe the same.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};
use serde_json::Value;

use super::{QualityCode, RegistrationStatus};

/// The route; namespaced so it can never collide with a vendor route.
pub const PATH: &str = "/__conformance/provider-states";

/// A set-up request: a named state and its parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SetupRequest {
    pub state: StateName,
    #[serde(default)]
    pub params: StateParams,
}

/// The states the endpoint knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum StateName {
    #[serde(rename = "app registration")]
    AppRegistration,
}

/// One step of a scripted liveness outcome: a score, or a provider quality code.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ScriptStep {
    Score(f64),
    Quality(QualityCode),
}

impl Serialize for ScriptStep {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ScriptStep::Score(x) => s.serialize_f64(*x),
            ScriptStep::Quality(q) => s.serialize_str(q.as_str()),
        }
    }
}

impl<'de> Deserialize<'de> for ScriptStep {
    /// A number or one of the quality codes; anything else is refused with the allowed values named.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match Value::deserialize(d)? {
            Value::Number(n) => {
                n.as_f64().map(ScriptStep::Score).ok_or_else(|| de::Error::custom("not a finite score"))
            }
            Value::String(s) => s.parse().map(ScriptStep::Quality).map_err(de::Error::custom),
            other => Err(de::Error::custom(format!("a step is a score or a quality code, not {other}"))),
        }
    }
}

/// The condition of the registration to set up; `Default` is a fresh one in `STARTED` whose client has
/// the seeded balance and whose flow has the documented liveness settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct StateParams {
    pub status: RegistrationStatus,
    pub collection: bool,
    pub person_set: bool,
    /// Seconds from now until the token's `exp`; negative means already expired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_expires_in: Option<i64>,
    /// Seconds from now until the token's `nbf`; positive means not yet valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token_not_before_in: Option<i64>,
    /// Outcomes that replace the liveness engine's, one per decodable image, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub liveness_script: Vec<ScriptStep>,
    /// The client's credit balance.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credits: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attempt_limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed_attempts: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Mint a validly signed token for a registration id that does not exist.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub phantom: bool,
}

impl Default for StateParams {
    fn default() -> Self {
        StateParams {
            status: RegistrationStatus::Started,
            collection: true,
            person_set: false,
            token_expires_in: None,
            token_not_before_in: None,
            liveness_script: Vec::new(),
            credits: None,
            min_score: None,
            attempt_limit: None,
            failed_attempts: None,
            email: None,
            phantom: false,
        }
    }
}

impl StateParams {
    pub(crate) fn request(&self) -> SetupRequest {
        SetupRequest { state: StateName::AppRegistration, params: self.clone() }
    }

    /// Why the public API cannot produce this state, if it cannot.
    pub(crate) fn public_api_refusal(&self) -> Option<String> {
        let needs = |what: &str| Some(format!("{what} can only be set up through provider states"));
        if self.token_expires_in.is_some() || self.token_not_before_in.is_some() {
            return needs("a token with a chosen expiry or not-before");
        }
        if !self.liveness_script.is_empty() {
            return needs("a scripted liveness score");
        }
        if self.credits.is_some() {
            return needs("a chosen credit balance");
        }
        if self.min_score.is_some() || self.attempt_limit.is_some() || self.failed_attempts.is_some() {
            return needs("a flow with chosen liveness settings");
        }
        if self.phantom {
            return needs("a signed token of a registration that does not exist");
        }
        if self.status == RegistrationStatus::Expired {
            return needs("the status EXPIRED");
        }
        None
    }
}

/// What a set-up answers: the ids and tokens to use the registration with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SetupResponse {
    pub data: SetupData,
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SetupData {
    /// Bearer token of the fresh client, for its client routes (credits, retrieve).
    pub client_token: String,
    pub client: String,
    pub project: String,
    pub project_flow: String,
    pub app_registration_id: String,
    pub token: String,
    pub status: RegistrationStatus,
    pub collection: Option<String>,
    pub person: Option<String>,
    pub biometric_validation: Option<String>,
}

/// Tokens are never printed.
impl fmt::Debug for SetupData {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SetupData")
            .field("app_registration_id", &self.app_registration_id)
            .field("status", &self.status)
            .field("person", &self.person)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn requests_round_trip_and_name_bad_steps() {
        let params = StateParams {
            liveness_script: vec![ScriptStep::Score(0.45), ScriptStep::Quality(QualityCode::NoFaceDetected)],
            token_expires_in: Some(-1),
            ..StateParams::default()
        };
        let wire = serde_json::to_value(params.request()).expect("serialises");
        assert_eq!(
            wire,
            json!({"state": "app registration", "params": {"status": "STARTED", "collection": true, "personSet": false,
                "tokenExpiresIn": -1, "livenessScript": [0.45, "ERR_NO_FACE_DETECTED"]}})
        );
        let back: SetupRequest = serde_json::from_value(wire).expect("deserialises");
        assert_eq!(back.params, params);
        let bad = serde_json::from_value::<StateParams>(json!({"livenessScript": ["ERR_NOPE"]}));
        assert!(bad.is_err_and(|e| e.to_string().contains("ERR_NO_FACE_DETECTED")));
        assert!(serde_json::from_value::<StateParams>(json!({"unknown": 1})).is_err());
    }
}
